"""The dateline exception hierarchy.

    DatelineError                 base class; str() says what happened and what to try
    ├── InputError                the input cannot be coded (reported as a skip)
    │   ├── EmptyInputError       nothing but whitespace
    │   ├── BinaryInputError      bytes that are not text (images, archives, ...)
    │   ├── TooLargeInputError    over the configured size limit
    │   ├── EncodingError         no text encoding decodes the bytes credibly
    │   ├── LanguageError         text is not in a language the pipeline supports
    │   └── NotAnArticleError     HTML/feed item with no article body
    ├── ConfigError               bad settings file or option value
    ├── DictionaryError           a dictionary/ontology file has a bad row (file, line, problem)
    ├── PipelineError             stages in an order that cannot work
    ├── MissingExtraError         an optional extra is not installed (message has the pip hint)
    ├── StoreError                the event store cannot be opened or written
    └── NotFoundError             a requested record (event, story) is not in the store

Exceptions become exit codes only at the CLI edge (see ``cli.py``).
"""

from __future__ import annotations


class DatelineError(Exception):
    """Base class for errors dateline raises on purpose."""


class InputError(DatelineError):
    """The input cannot be coded; the story is skipped with this reason."""

    reason = "bad input"


class EmptyInputError(InputError):
    reason = "empty"


class BinaryInputError(InputError):
    reason = "binary"


class TooLargeInputError(InputError):
    reason = "too large"


class EncodingError(InputError):
    reason = "encoding"


class LanguageError(InputError):
    reason = "language"


class NotAnArticleError(InputError):
    reason = "not an article"


class ConfigError(DatelineError):
    """A settings file or option has a bad value."""


class DictionaryError(DatelineError):
    """A dictionary or ontology file is malformed.

    Args:
        path: the file.
        line: 1-based line number (0 when unknown).
        problem: what is wrong and what was expected.
    """

    def __init__(self, path: str, line: int, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {problem}")


class PipelineError(DatelineError):
    """Stages are configured in an order that cannot work."""


class MissingExtraError(DatelineError):
    """An optional dependency is missing.

    Args:
        package: the import that failed.
        extra: the dateline extra that provides it.
    """

    def __init__(self, package: str, extra: str) -> None:
        self.package, self.extra = package, extra
        super().__init__(
            f"{package} is not installed; it comes with the '{extra}' extra: pip install 'dateline[{extra}]'"
        )


class StoreError(DatelineError):
    """The event store cannot be opened, migrated or written."""


class NotFoundError(DatelineError):
    """A requested record (event, story) is not in the store."""
