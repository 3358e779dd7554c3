"""One settings object, built once and passed down.

Defaults live in ``defaults.toml`` beside this module (commented); a user file and
keyword overrides are merged on top and validated with pydantic.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from .errors import ConfigError

__all__ = ["Settings", "load_settings"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InputSettings(_Section):
    max_bytes: int
    min_printable_ratio: float
    languages: tuple[str, ...]


class NlpSettings(_Section):
    model: str
    disable: tuple[str, ...]
    batch_size: int
    fast_attribute_ruler: bool = True


class ActorSettings(_Section):
    dictionaries: tuple[str, ...]


class EventSettings(_Section):
    quad_convention: Literal["gdelt", "plover"]
    classifier: Literal["off", "rerank"]
    rerank_margin: float = 0.2
    rerank_min_probability: float = 0.5


class DateSettings(_Section):
    max_lookback_days: int


class StoreSettings(_Section):
    db: str


class IngestSettings(_Section):
    batch_size: int
    min_article_words: int


class FetchSettings(_Section):
    user_agent: str
    timeout: float
    retries: int
    backoff: float
    min_interval: float
    respect_robots: bool


class DedupSettings(_Section):
    threshold: float
    num_perm: int
    shingle: int
    merge_window_days: int


class WebSettings(_Section):
    host: str
    port: int
    token: str
    max_body_bytes: int
    cors_origins: tuple[str, ...]
    page_size: int
    max_page_size: int


class Settings(_Section):
    """All of dateline's settings; see ``defaults.toml`` for what each one means."""

    input: InputSettings
    nlp: NlpSettings
    actors: ActorSettings
    events: EventSettings
    dates: DateSettings
    store: StoreSettings
    ingest: IngestSettings
    fetch: FetchSettings
    dedup: DedupSettings
    web: WebSettings

    def with_overrides(self, **dotted: Any) -> Settings:
        """Copy with ``section__key=value`` overrides (e.g. ``events__quad_convention``)."""
        data = self.model_dump()
        _apply(data, _nest(dotted))
        return _validate(data, "overrides")


def _defaults() -> dict[str, Any]:
    text = resources.files("dateline").joinpath("defaults.toml").read_text("utf-8")
    return tomllib.loads(text)


def _nest(dotted: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in dotted.items():
        section, _, name = key.partition("__")
        if not name:
            raise ConfigError(f"setting {key!r} must be written section__name, e.g. events__quad_convention")
        out.setdefault(section, {})[name] = value
    return out


def _apply(base: dict[str, Any], extra: dict[str, Any]) -> None:
    for section, values in extra.items():
        if section not in base or not isinstance(values, dict):
            raise ConfigError(f"unknown settings section {section!r}; known: {', '.join(base)}")
        base[section].update(values)


def _validate(data: dict[str, Any], origin: str) -> Settings:
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{origin}: setting {where}: {first['msg']}") from None


def load_settings(path: str | Path | None = None, **overrides: Any) -> Settings:
    """Build the settings: defaults, then the TOML file at ``path``, then overrides.

    Args:
        path: optional user TOML file with any subset of the default tables.
        **overrides: ``section__key=value`` pairs.

    Returns:
        The validated, frozen settings.
    """
    data = _defaults()
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text("utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {path}: {exc}") from None
        _apply(data, user)
    if overrides:
        _apply(data, _nest(overrides))
    return _validate(data, str(path or "defaults"))
