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
@click.option("--config", type=click.Path(dir_okay=False), envvar="DATELINE_CONFIG", help="TOML settings file.")
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """dateline: turn raw news into coded political event data."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config


def make_ctx(click_ctx: click.Context, **options: Any) -> Any:
    """Build the dateline Context from --config and per-command overrides."""
    from .api import make_context

    return make_context(config=click_ctx.obj.get("config"), **{k: v for k, v in options.items() if v is not None})


# --- code -------------------------------------------------------------------------
# (section owned by the lead; other commands are appended below in their own sections)


@main.command("code")
@click.argument("inputs", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table", show_default=True,
    help="table: readable events; json: each story with its events; jsonl: one event per line.",
)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of stdout.")
@click.option("--quad-convention", type=click.Choice(["gdelt", "plover"]), help="Quad-class convention.")
@click.pass_context
@friendly
def code_cmd(click_ctx: click.Context, inputs: tuple[str, ...], fmt: str, out: str | None,
             quad_convention: str | None) -> None:
    """Code news files (text or HTML, any encoding), directories of them, or - for stdin."""
    from .api import code_stories
    from .readers import iter_input_paths, read_path
    from .report import StoryWriter

    ctx = make_ctx(click_ctx, events__quad_convention=quad_convention)
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
