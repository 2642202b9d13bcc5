"""Bytes to text: encodings, binary junk and size, for files and pasted postings.

UTF-8 with or without a BOM, else cp1252 (Excel's "CSV" on Windows); a file or
posting that is mostly control characters is refused with a clear message.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import IO, cast

# A single posting over this size is rejected rather than analysed: real adverts
# are a few KB and saved job pages under 1 MB; 10 MB of text is a wrong paste.
MAX_POSTING_CHARS = 2_000_000


class InputError(ValueError):
    """A whole input cannot be read; the message is meant for the user."""


def looks_binary_bytes(head: bytes) -> bool:
    """Tell from a file's first bytes whether it is binary (or UTF-16) rather than text.

    Only a file with NUL bytes is suspect, and then only when control characters are
    more than a few percent of it: a stray NUL in one cell of a CSV export is no
    reason to refuse the file (the cell loses the NUL, see ``without_nul``).
    """
    sample = head[:8192]
    return b"\x00" in sample and _looks_binary(sample.decode("latin-1"))


def without_nul(value: str) -> str:
    """Drop NUL characters: no text holds them and no database text column takes them."""
    return value.replace("\x00", "") if "\x00" in value else value


def decode_bytes(data: bytes, name: str = "input") -> str:
    """Decode a posting's bytes: UTF-8 (with or without BOM), else cp1252.

    Binary junk is refused with a clear message instead of being analysed as text.
    """
    if looks_binary_bytes(data):
        raise InputError(f"{name}: this looks like a binary file, not text or HTML")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if _looks_binary(text):
        raise InputError(f"{name}: this looks like a binary file, not text or HTML")
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
# Every byte but the control characters above, for bytes.translate to delete.
_NOT_CONTROL = bytes(c for c in range(256) if not (c <= 8 or c == 11 or 14 <= c <= 31))


def _looks_binary(text: str) -> bool:
    sample = text[:4096]
    # No control character at all: nearly every posting. Deleting every other
    # byte of a one-byte-a-character copy tells, four times faster than a search.
    if not sample or ("\ufffd" not in sample
                      and not sample.encode("latin-1", "replace").translate(None, _NOT_CONTROL)):
        return False
    return len(_CONTROL.findall(sample)) / len(sample) > 0.05


def check_text(text: str) -> str | None:
    """Return why a posting's text cannot be analysed, or None when it can."""
    if not text or text.isspace():
        return "the posting is empty"
    if len(text) > MAX_POSTING_CHARS:
        return (
            f"the posting is {len(text):,} characters; the limit is {MAX_POSTING_CHARS:,} "
            "(paste one posting, not a whole file)"
        )
    if _looks_binary(text):
        return "the posting looks like binary data, not text or HTML"
    return None


def failure_message(exc: BaseException, times: int = 1) -> str:
    """What a posting's record says when the engine failed on it (one message for CLI and workers)."""
    again = f" {times} times" if times > 1 else ""
    return f"the analysis failed{again} ({type(exc).__name__})"


def _cp1252_fallback(exc: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (Excel's "CSV" on Windows)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return bytes(bad).decode("cp1252", errors="replace"), exc.end


codecs.register_error("skillgap-cp1252", _cp1252_fallback)


def text_stream(
    stream: IO[bytes], name: str
) -> tuple[io.TextIOWrapper[io.BufferedReader], io.BufferedReader | None]:
    """Wrap a binary stream as text: UTF-8 (BOM dropped), any other bytes as cp1252.

    Returns the wrapper and the buffer made for it (None when the stream was
    already buffered), so that ``release_text_stream`` can hand the caller's stream back open.
    """
    made: io.BufferedReader | None = None
    if isinstance(stream, io.BufferedReader):
        buffered = stream
    else:
        # BufferedReader needs only read/readinto, which every binary file object has.
        buffered = made = io.BufferedReader(cast(io.RawIOBase, stream))
    head = buffered.peek(65536)[:65536]
    if looks_binary_bytes(head):
        raise InputError(f"{name}: this looks like a binary file, not CSV or JSON lines")
    text = io.TextIOWrapper(buffered, encoding="utf-8-sig", errors="skillgap-cp1252", newline="")
    return text, made


def release_text_stream(text: io.TextIOWrapper[io.BufferedReader], made: io.BufferedReader | None) -> None:
    """Detach our wrappers so that closing them does not close the caller's stream."""
    try:
        text.detach()
        if made is not None:
            made.detach()
    except ValueError:
        pass
