"""The TOML parser: ``tomllib`` from Python 3.11, ``tomli`` (the same parser) on 3.10;
and where a key stands in a file, for errors that name the line (the parser gives none)."""

import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

__all__ = ["entry_where", "key_line", "tomllib"]


def key_line(text: str, key: str, value: str | None = None, start: int = 0) -> tuple[int, int]:
    """The line (from 1) where ``key = "value"`` (or ``key =``) first stands at or after
    ``start``, and the offset just past it; ``(0, start)`` when it is not there."""
    tail = r"[\"']" + re.escape(value) + r"[\"']" if value is not None else ""
    m = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=[ \t]*{tail}", re.M).search(text, start)
    return (text.count("\n", 0, m.start()) + 1, m.end()) if m else (0, start)


def entry_where(text: str, source: str, noun: str, n: int, key: str, value: object,
                start: int = 0) -> tuple[str, int, int]:
    """Where the ``n``-th table of an array stands, for its errors ("skills.toml, line 12
    (skill 3 'ehr')"), found by its ``key = "value"`` at or after ``start``: that text,
    the line (0 when not found) and the offset to look for the next table from."""
    line, start = key_line(text, key, value, start) if isinstance(value, str) else (0, start)
    return f"{source}, line {line or '?'} ({noun} {n}{f' {value!r}' if value else ''})", line, start
