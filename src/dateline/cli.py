"""The command line: thin wrappers over library functions.

Exit codes: 0 success; 1 some inputs were skipped or failed; 2 usage or
configuration error; 3 nothing could be coded. Errors print one line, no traceback
(set DATELINE_DEBUG=1 for the traceback).

Each command lives in its own section below; keep them thin.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click

from .errors import ConfigError, DatelineError, MissingExtraError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_NOTHING = 0, 1, 2, 3


def friendly(fn: F) -> F:
    """Turn dateline errors into a one-line message and an exit code."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (ConfigError, MissingExtraError) as exc:
            _die(exc, EXIT_USAGE)
        except DatelineError as exc:
            _die(exc, EXIT_NOTHING)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _die(exc: BaseException, code: int) -> None:
    if os.environ.get("DATELINE_DEBUG"):
        raise exc
    click.echo(f"dateline: error: {exc}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="dateline")
@click.option(
    "--config", type=click.Path(dir_okay=False), envvar="DATELINE_CONFIG", help="TOML settings file."
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """dateline: turn raw news into coded political event data."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


def make_ctx(click_ctx: click.Context, **options: Any) -> Any:
    """Build the dateline Context from --config and per-command overrides."""
    from .api import make_context

    return make_context(
        config=click_ctx.obj.get("config"), **{k: v for k, v in options.items() if v is not None}
    )


# --- code -------------------------------------------------------------------------
# (section owned by the lead; other commands are appended below in their own sections)


@main.command("code")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "jsonl"]),
    default="table",
    show_default=True,
    help="table: readable events; json: each story with its events; jsonl: one event per line.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout."
)
@click.option("--quad-convention", type=click.Choice(["gdelt", "plover"]), help="Quad-class convention.")
@click.option(
    "--dictionary",
    "dictionaries",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra actor dictionary (YAML/CSV); later files override earlier ones and the built-ins.",
)
@click.pass_context
@friendly
def code_cmd(
    click_ctx: click.Context,
    inputs: tuple[str, ...],
    fmt: str,
    out: str | None,
    quad_convention: str | None,
    dictionaries: tuple[str, ...],
) -> None:
    """Code news files (text or HTML, any encoding), directories of them, or - for stdin."""
    from .api import code_stories
    from .readers import iter_input_paths, read_path
    from .report import StoryWriter

    ctx = make_ctx(
        click_ctx, events__quad_convention=quad_convention, actors__dictionaries=list(dictionaries) or None
    )
    problems: list[str] = []

    def stories() -> Any:
        for path in iter_input_paths(inputs):
            try:
                yield read_path(path, ctx.settings)
            except DatelineError as exc:
                problems.append(f"skipped {path}: {exc}")
                click.echo(f"dateline: {problems[-1]}", err=True)

    coded = 0
    with StoryWriter(fmt, out) as writer:
        for story in code_stories(stories(), ctx=ctx):
            if story.failures:
                f = story.failures[0]
                problems.append(f"{'skipped' if f.kind == 'skip' else 'failed'} {story.source}: {f.error}")
                click.echo(f"dateline: {problems[-1]}", err=True)
                continue
            coded += 1
            writer.write(story)
    if problems:
        click.echo(f"dateline: coded {coded}, skipped or failed {len(problems)}", err=True)
        sys.exit(EXIT_PARTIAL)


# --- eval -------------------------------------------------------------------------


@main.command("eval")
@click.argument("suite")
@click.option(
    "--data", "data", type=click.Path(exists=True), help="Directory or file overriding the suite's data."
)
@click.option(
    "--shared",
    type=click.Path(file_okay=False),
    default="/work/shared",
    show_default=True,
    help="The shared data directory (default data of each suite).",
)
@click.option("--no-seed", is_flag=True, help="articles: do not add the seed article.")
@click.option(
    "--mode",
    type=click.Choice(["classify", "end-to-end", "both"]),
    default="classify",
    show_default=True,
    help="plv: which mode to score.",
)
@click.option("--limit", type=int, help="Score only the first N items (quick look; not for floors).")
@click.option("--classifier", type=click.Choice(["off", "rerank"]), help="Override events.classifier.")
@click.option(
    "--out", type=click.Path(dir_okay=False), help="JSON output (default artifacts/eval/<suite>.json)."
)
@click.option("--brief", is_flag=True, help="Print only the summary table.")
@click.option(
    "--update-floors", is_flag=True, help="Pin the measured metrics as floors in tests/quality_floors.toml."
)
@click.option(
    "--allow-lower", is_flag=True, help="With --update-floors: allow lowering a floor (needs --reason)."
)
@click.option("--reason", default="", help="Why a floor is lowered; written to CHANGELOG.md.")
@click.option(
    "--floors",
    "floors_path",
    type=click.Path(dir_okay=False),
    default="tests/quality_floors.toml",
    show_default=True,
)
@click.pass_context
@friendly
def eval_cmd(
    click_ctx: click.Context,
    suite: str,
    data: str | None,
    shared: str,
    no_seed: bool,
    mode: str,
    limit: int | None,
    classifier: str | None,
    out: str | None,
    brief: bool,
    update_floors: bool,
    allow_lower: bool,
    reason: str,
    floors_path: str,
) -> None:
    """Score dateline on an evaluation SUITE (articles, plv, plover-gsr, actors, zyte, wcxb)."""
    from pathlib import Path

    from . import evaluate

    ctx = make_ctx(click_ctx, events__classifier=classifier)
    opts = evaluate.SuiteOptions(
        data=Path(data) if data else None,
        shared=Path(shared),
        include_seed=not no_seed,
        mode=mode,
        limit=limit,
    )
    result = evaluate.run_suite(suite, ctx, opts)
    evaluate.print_result(result, detail=not brief)
    written = evaluate.write_result(result, Path(out or f"artifacts/eval/{suite}.json"))
    click.echo(f"wrote {written}", err=True)
    if update_floors:
        if limit:
            raise ConfigError("--update-floors needs the full data; drop --limit")
        changed = evaluate.update_floors(
            suite,
            result["summary"],
            Path(floors_path),
            allow_lower=allow_lower,
            changelog=Path("CHANGELOG.md"),
            reason=reason,
        )
        click.echo(f"floors updated in {floors_path}: {changed or 'no change'}", err=True)


# --- train ------------------------------------------------------------------------


@main.command("train")
@click.option(
    "--shared",
    type=click.Path(file_okay=False),
    default="/work/shared",
    show_default=True,
    help="The shared data directory holding the training data.",
)
@click.option("--seed", type=int, default=13, show_default=True, help="Random seed (folds and model).")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Model directory (default: the package's)."
)
@click.option("--no-cv", is_flag=True, help="Skip the 5-fold PLV cross-validation recorded in the manifest.")
@friendly
def train_cmd(shared: str, seed: int, out_dir: str | None, no_cv: bool) -> None:
    """Retrain the event-type classifier reproducibly and write model + manifest."""
    from .train import train_and_save

    manifest = train_and_save(shared, out_dir, seed=seed, run_cv=not no_cv)
    cv = manifest.get("cv_plv") or {}
    click.echo(
        f"model {manifest['model_id']} -> {manifest['model_file']} (sha256 {manifest['model_sha256'][:12]})"
    )
    if cv:
        click.echo(
            f"PLV {cv['folds']}-fold CV: accuracy {cv['accuracy']}, "
            f"macro-F1 {cv['macro_f1']}, ECE {cv['ece']}"
        )


# --- ingest -----------------------------------------------------------------------
# (section owned by the store/ingest helper)

_db_option = click.option(
    "--db",
    envvar="DATELINE_DB",
    help="DuckDB file (default: store.db, dateline.duckdb) or postgresql://user@host/dbname.",
)


def _executor_options(fn: F) -> F:
    """--executor / --workers / --address, shared by ingest and watch."""
    fn = click.option("--address", help="Ray cluster address (ray executor), e.g. auto or ray://host:10001.")(
        fn
    )
    fn = click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="Worker processes (local) or actors (ray).",
    )(fn)
    fn = click.option(
        "--executor",
        "executor_name",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="Where stories are coded.",
    )(fn)
    return fn


@main.command("ingest")
@click.argument("sources", nargs=-1, required=True)
@_db_option
@_executor_options
@click.option(
    "--batch-size", type=click.IntRange(min=1), help="Stories per transaction (default: ingest.batch_size)."
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal)."
)
@click.option("--strict", is_flag=True, help="Exit 1 when any input failed (skips never count).")
@click.option("-v", "--verbose", is_flag=True, help="Log each committed batch on stderr.")
@click.pass_context
@friendly
def ingest_cmd(
    click_ctx: click.Context,
    sources: tuple[str, ...],
    db: str | None,
    executor_name: str,
    workers: int,
    address: str | None,
    batch_size: int | None,
    progress: bool | None,
    strict: bool,
    verbose: bool,
) -> None:
    """Ingest folders (.txt/.html/.json), JSONL, WARC(.gz), RSS/Atom feeds and URLs into the event store."""
    from .executors import get_executor
    from .ingest import ingest
    from .store import open_store

    if verbose:
        import logging

        logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s", stream=sys.stderr)
    ctx = make_ctx(click_ctx)
    executor = get_executor(executor_name, workers=workers, address=address)
    show = sys.stderr.isatty() if progress is None else progress
    with open_store(db, ctx.settings) as store:
        summary = ingest(
            sources,
            store=store,
            settings=ctx.settings,
            executor=executor,
            batch_size=batch_size,
            ctx=ctx,
            progress=show,
        )
    click.echo(summary.render())
    if summary.read and not summary.coded and not summary.duplicates and summary.problems:
        sys.exit(EXIT_NOTHING)
    if strict and summary.problems:
        sys.exit(EXIT_PARTIAL)


# --- watch ------------------------------------------------------------------------
# (section owned by the store/ingest helper)


@main.command("watch")
@click.argument("feeds", nargs=-1, required=True)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.0),
    default=900.0,
    show_default=True,
    help="Seconds between polls.",
)
@click.option(
    "--max-polls", type=click.IntRange(min=1), help="Stop after this many polls (default: until signalled)."
)
@_db_option
@_executor_options
@click.pass_context
@friendly
def watch_cmd(
    click_ctx: click.Context,
    feeds: tuple[str, ...],
    interval: float,
    max_polls: int | None,
    db: str | None,
    executor_name: str,
    workers: int,
    address: str | None,
) -> None:
    """Poll feeds every --interval seconds and ingest what is new; SIGINT or SIGTERM stops it cleanly."""
    from .executors import get_executor
    from .store import open_store
    from .watch import watch

    ctx = make_ctx(click_ctx)
    executor = get_executor(executor_name, workers=workers, address=address)

    def report(poll: int, summary: Any) -> None:
        click.echo(f"poll {poll}: {summary.render().splitlines()[0]}", err=True)

    with open_store(db, ctx.settings) as store:
        polls = watch(
            feeds,
            store=store,
            settings=ctx.settings,
            interval=interval,
            executor=executor,
            max_polls=max_polls,
            on_poll=report,
        )
    click.echo(f"watch stopped after {polls} poll(s)", err=True)


# --- export -----------------------------------------------------------------------
# (section owned by the store/ingest helper)


@main.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["gdelt", "plover", "csv", "parquet"]),
    default="gdelt",
    show_default=True,
    help="GDELT 2.0 event TSV, PLOVER JSONL, CSV or Parquet.",
)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="First event date (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), help="Last event date (YYYY-MM-DD).")
@click.option("--actor", help="Actor code prefix on either side, e.g. USA or PRKGOV.")
@click.option("--dyad", help="SOURCE-TARGET code prefixes, e.g. KOR-USA.")
@click.option("--root", help="CAMEO root code(s), e.g. 04 or 04,05.")
@click.option("--type", "event_type", help="PLOVER event type, e.g. CONSULT.")
@click.option("--out", type=click.Path(), help="Output file (default: stdout; Parquet needs a file).")
@click.option(
    "--corrections",
    is_flag=True,
    help="Write analysts' corrections as gold files (shared/eval/ANNOTATION.md format) "
    "into the --out folder.",
)
@_db_option
@click.pass_context
@friendly
def export_cmd(
    click_ctx: click.Context,
    fmt: str,
    since: Any,
    until: Any,
    actor: str | None,
    dyad: str | None,
    root: str | None,
    event_type: str | None,
    out: str | None,
    corrections: bool,
    db: str | None,
) -> None:
    """Export merged events from the store."""
    from .export import ExportFilter, export_events
    from .store import open_store

    ctx = make_ctx(click_ctx)
    if corrections:
        _export_corrections(ctx, db, out)
        return
    filters = ExportFilter(
        since=since.date() if since else None,
        until=until.date() if until else None,
        actor=actor,
        dyad=dyad,
        root=root,
        type=event_type,
    )
    # Hook: a --corrections option passes transform=<overlay of analyst corrections> here.
    transform = None
    with open_store(db, ctx.settings) as store:
        n = export_events(store, fmt, out, filters, transform=transform)
    click.echo(f"exported {n} event(s)", err=True)


# --- serve ------------------------------------------------------------------------
# (section owned by the web helper; also the gold export behind `export --corrections`)


@main.command("serve")
@_db_option
@click.option("--host", help="Bind address (default: web.host, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: web.port, 8765).")
@click.pass_context
@friendly
def serve_cmd(click_ctx: click.Context, db: str | None, host: str | None, port: int | None) -> None:
    """Serve the HTTP API and the dashboard over the store (Ctrl-C stops)."""
    from .web import serve

    ctx = make_ctx(click_ctx)
    web = ctx.settings.web
    click.echo(
        f"dateline: serving http://{host or web.host}:{port or web.port}/ (API docs at /docs)", err=True
    )
    serve(db, ctx, host=host, port=port)


def _export_corrections(ctx: Any, db: str | None, out: str | None) -> None:
    """Write every corrected article as <story>.txt + <story>.gold.json into ``out``."""
    from .store import open_store
    from .web.corrections import export_gold

    if not out:
        raise ConfigError("export --corrections writes a folder of gold files: give it with --out DIR")
    with open_store(db, ctx.settings) as store:
        written = export_gold(store, out)
    click.echo(f"exported {len(written)} corrected article(s) as gold files to {out}", err=True)


# --- extract ----------------------------------------------------------------------
# (section owned by the extraction helper)


@main.command("extract")
@click.argument("source")
@click.option("--url", "url_hint", help="The article's URL when SOURCE is a file (time zone, outlet).")
@click.pass_context
@friendly
def extract_cmd(click_ctx: click.Context, source: str, url_hint: str | None) -> None:
    """Print the clean article and its metadata (with provenance) as JSON.

    SOURCE is a file, '-' for stdin, or an http(s) URL.
    """
    import json

    from .extract import extract_story

    ctx = make_ctx(click_ctx)
    payload = extract_story(source, ctx.settings, url=url_hint)
    click.echo(json.dumps(payload, ensure_ascii=False, indent=2))


# --- actors -----------------------------------------------------------------------


@main.group("actors")
def actors_group() -> None:
    """Inspect the actor dictionaries."""


@actors_group.command("lookup")
@click.argument("name")
@click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]), help="Resolve as of this date.")
@click.option("--context", "context_text", default="", help="Text naming the country (e.g. 'German').")
@click.option(
    "--dictionary",
    "dictionaries",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra YAML/CSV dictionary (repeatable); wins over the built-ins.",
)
@click.pass_context
@friendly
def actors_lookup_cmd(
    click_ctx: click.Context, name: str, when: Any, context_text: str, dictionaries: tuple[str, ...]
) -> None:
    """Show how NAME resolves to an actor code, and why."""
    from .actors import lookup_report

    extra = {"actors__dictionaries": list(dictionaries)} if dictionaries else {}
    ctx = make_ctx(click_ctx, **extra)
    click.echo(lookup_report(name, when.date() if when else None, ctx, context=context_text))


# --- codes ------------------------------------------------------------------------


@main.command("codes")
@click.argument("root", required=False)
@click.option(
    "--quad",
    "convention",
    type=click.Choice(["gdelt", "plover"]),
    default=None,
    help="Quad-class convention (default: the settings' events.quad_convention).",
)
@click.pass_context
@friendly
def codes_cmd(click_ctx: click.Context, root: str | None, convention: str | None) -> None:
    """List CAMEO codes (all, or under ROOT) with Goldstein, quad class and PLOVER type."""
    from .ontology import code_table, ontology

    ctx = make_ctx(click_ctx)
    onto = ontology(ctx)
    if root is not None and not any(True for _ in onto.under(root)):
        raise click.BadParameter(f"no CAMEO root {root!r}; roots are 01-20", param_hint="ROOT")
    for line in code_table(onto, root, convention or ctx.settings.events.quad_convention):
        click.echo(line)


# --- validate ---------------------------------------------------------------------


@main.command("validate")
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--limit", type=int, default=None, help="Run only the first N records.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result (per-record outcomes) as JSON.")
@click.pass_context
@friendly
def validate_cmd(click_ctx: click.Context, folder: str | None, limit: int | None, as_json: bool) -> None:
    """Run PETRARCH's unit-test records (FOLDER, default $DATELINE_SHARED/validation/petrarch)."""
    import json
    from pathlib import Path

    from .validate import iter_report, run_validation

    shared = Path(os.environ.get("DATELINE_SHARED", "/work/shared"))
    path = Path(folder) if folder else shared / "validation" / "petrarch"
    if not (path / "PETR.UnitTest.records.xml").exists():
        raise click.BadParameter(f"{path} has no PETR.UnitTest.records.xml", param_hint="FOLDER")
    result = run_validation(path, make_ctx(click_ctx), limit=limit)
    if as_json:
        click.echo(json.dumps(result, indent=1))
        return
    for line in iter_report(result):
        click.echo(line)
