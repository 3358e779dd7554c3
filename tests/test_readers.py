"""Readers: encodings detected, bad input refused with a clear InputError."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import BinaryInputError, EmptyInputError, InputError, TooLargeInputError
from dateline.readers import decode_bytes, iter_input_paths, read_path, sniff_content_type
from dateline.settings import load_settings

S = load_settings()
NEWS = (
    "SEOUL, Jan. 20 (Yonhap) -- South Korea's envoy held talks with his counterpart, "
    "Noh Kyu-dük said — “we agreed”, the ministry noted. "
) * 5
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_common_encodings_are_detected(encoding: str) -> None:
    text = NEWS if encoding != "latin-1" else NEWS.replace("—", "-").replace("“", '"').replace("”", '"')
    decoded, _ = decode_bytes(text.encode(encoding), S)
    assert decoded.lstrip("\ufeff") == text


def test_korean_euc_kr_is_decoded_not_mangled() -> None:
    text = "북한이 동해상으로 탄도미사일을 발사했다고 합동참모본부가 밝혔다. " * 10
    decoded, encoding = decode_bytes(text.encode("euc-kr"), S)
    assert decoded == text, encoding


@pytest.mark.parametrize("data", [b"", b"   \n\t  "])
def test_empty_input(data: bytes) -> None:
    with pytest.raises(EmptyInputError, match="empty"):
        decode_bytes(data, S)


def test_png_is_binary() -> None:
    with pytest.raises(BinaryInputError, match="PNG"):
        decode_bytes(PNG, S)


def test_random_control_bytes_are_binary() -> None:
    with pytest.raises(BinaryInputError):
        decode_bytes(bytes([0, 1, 2, 3, 4, 5, 6, 7, 14, 15]) * 200, S)


def test_huge_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB sparse file
    with pytest.raises(TooLargeInputError, match=r"52.4 MB is over the 5.0 MB limit"):
        read_path(big, S)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_path(tmp_path / "nope.txt", S)


@given(st.binary(max_size=3000))
@settings(max_examples=200, deadline=None)
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    try:
        text, _ = decode_bytes(data, S)
    except InputError:
        return
    assert isinstance(text, str) and text.strip()


def test_sniff_html() -> None:
    assert sniff_content_type("<!DOCTYPE html><html><body><p>x</p></body></html>") == "text/html"
    assert sniff_content_type("SEOUL, Jan. 20 (Yonhap) -- text") == "text/plain"


def test_directories_expand_to_text_files(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "a.html").write_text("x")
    (tmp_path / "c.png").write_bytes(PNG)
    assert [Path(p).name for p in iter_input_paths([str(tmp_path)])] == ["a.html", "b.txt"]
