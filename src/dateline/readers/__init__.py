"""Readers: bytes, files, stdin (and, in sibling modules, WARC, feeds, JSONL, URLs) to Stories.

A reader's job ends at decoded text: it detects the encoding (never assumes it),
refuses empty, binary and oversized input with a clear :class:`~dateline.errors.InputError`,
sniffs HTML versus plain text, and gives the story a content-hash id.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..errors import BinaryInputError, EmptyInputError, EncodingError, InputError, TooLargeInputError
from ..model import Meta, Story, content_id
from ..settings import Settings, load_settings

__all__ = [
    "TEXT_SUFFIXES",
    "decode_bytes",
    "iter_input_paths",
    "read_path",
    "sniff_content_type",
    "story_from_bytes",
    "story_from_text",
]

#: file suffixes a directory walk picks up for `dateline code`
TEXT_SUFFIXES = frozenset({".txt", ".text", ".html", ".htm", ".xhtml"})

# Signatures of common binary formats (first bytes); a match is binary whatever follows.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"%PDF", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or docx/xlsx)"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2 data"),
    (b"\x7fELF", "executable"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"ID3", "MP3 audio"),
    (b"OggS", "Ogg media"),
    (b"\xd0\xcf\x11\xe0", "MS Office document"),
    (b"SQLite format 3", "SQLite database"),
)
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_bytes(data: bytes, settings: Settings, *, name: str = "input") -> tuple[str, str]:
    """Decode raw bytes to text, detecting the encoding.

    Steps: 1. refuse empty and oversized input; 2. refuse known binary signatures;
    3. honour a byte-order mark; 4. strict UTF-8; 5. charset-normalizer's best guess;
    6. refuse text whose printable share is below ``input.min_printable_ratio``.

    Returns:
        (text, encoding name).
    """
    limit = settings.input.max_bytes
    if len(data) > limit:
        raise TooLargeInputError(
            f"{name}: {len(data) / 1e6:.1f} MB is over the {limit / 1e6:.1f} MB limit for one story; "
            "split it, or raise input.max_bytes in a settings file"
        )
    if not data.strip():
        raise EmptyInputError(f"{name}: the input is empty; nothing to code")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(f"{name}: this is a {kind}, not text; dateline codes news text or HTML")
    text, encoding = _decode(data, name)
    if not text.strip():
        raise EmptyInputError(f"{name}: the input is empty; nothing to code")
    ratio = _printable_ratio(text)
    if ratio < settings.input.min_printable_ratio:
        raise BinaryInputError(
            f"{name}: only {ratio:.0%} of the characters are printable text; this looks like binary data"
        )
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if b"\x00" not in data[:4096]:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    if _looks_western(data):
        # charset-normalizer guesses badly on mostly-ASCII text with a few high bytes
        # (it picks big5 or cp1257 for Latin-1 news); isolated high bytes are cp1252.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise BinaryInputError(f"{name}: no text encoding decodes these bytes; this looks like binary data")
    try:
        return data.decode(best.encoding), best.encoding
    except (UnicodeDecodeError, LookupError) as exc:
        raise EncodingError(f"{name}: detected encoding {best.encoding} but decoding failed: {exc}") from None


def _looks_western(data: bytes) -> bool:
    """True when high bytes are sparse and mostly isolated (Latin-1/cp1252 accents, curly quotes).

    Double-byte encodings (EUC-KR, GBK, Shift-JIS) put high bytes in runs; single-byte
    Cyrillic or Greek text has a high share of them.
    """
    sample = data[:200_000]
    high = [i for i, b in enumerate(sample) if b >= 0x80]
    if not high or len(high) > 0.2 * len(sample):
        return False
    runs = sum(1 for i in high if i + 1 < len(sample) and sample[i + 1] >= 0x80)
    return runs <= 0.2 * len(high)


def _printable_ratio(text: str) -> float:
    sample = text[:100_000]
    bad = sum(1 for ch in sample if not (ch.isprintable() or ch in "\n\r\t\f\v"))
    return 1.0 - bad / max(1, len(sample))


def sniff_content_type(text: str) -> str:
    """``text/html`` when the text looks like markup, else ``text/plain``."""
    head = text[:2048].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower():
        return "text/html"
    if head.startswith("<") and any(
        tag in head for tag in ("<head", "<body", "<div", "<p>", "<meta", "<article")
    ):
        return "text/html"
    return "text/plain"


def story_from_text(
    text: str, *, source: str = "<text>", url: str | None = None, content_type: str | None = None
) -> Story:
    """A Story for already-decoded text; its id hashes the canonical URL and the text."""
    if not text.strip():
        raise EmptyInputError(f"{source}: the input is empty; nothing to code")
    return Story(
        id=content_id(url or "", text),
        raw=text,
        source=source,
        content_type=content_type or sniff_content_type(text),
        meta=Meta(url=url),
    )


def story_from_bytes(
    data: bytes,
    *,
    source: str,
    url: str | None = None,
    settings: Settings | None = None,
    content_type: str | None = None,
) -> Story:
    """Decode ``data`` (see :func:`decode_bytes`) and wrap it in a Story."""
    text, _encoding = decode_bytes(data, settings or load_settings(), name=source)
    return story_from_text(text, source=source, url=url, content_type=content_type)


def read_path(path: Path | str, settings: Settings | None = None) -> Story:
    """Read one file (or ``-`` for stdin) into a Story.

    Raises:
        InputError: empty, binary, too large or undecodable input (a subclass says which).
    """
    settings = settings or load_settings()
    if str(path) == "-":
        data = sys.stdin.buffer.read(settings.input.max_bytes + 1)
        return story_from_bytes(data, source="-", settings=settings)
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if size > settings.input.max_bytes:
        raise TooLargeInputError(
            f"{p}: {size / 1e6:.1f} MB is over the {settings.input.max_bytes / 1e6:.1f} MB limit for one "
            "story; split it, or raise input.max_bytes in a settings file"
        )
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return story_from_bytes(data, source=str(p), settings=settings)


def iter_input_paths(args: Iterable[str]) -> Iterator[str]:
    """Expand arguments: ``-`` and files as given, directories to their text/HTML files (sorted)."""
    for arg in args:
        p = Path(arg)
        if arg != "-" and p.is_dir():
            yield from (
                str(f) for f in sorted(p.rglob("*")) if f.is_file() and f.suffix.lower() in TEXT_SUFFIXES
            )
        else:
            yield arg
