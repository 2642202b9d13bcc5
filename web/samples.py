"""The example postings in ``examples/``, offered on the home page to a first-time visitor."""

from __future__ import annotations

from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

# name -> (file, what the link says)
POSTINGS = {
    "medical-secretary": ("medical-secretary.html", "NHS medical secretary (a saved HTML page)"),
    "billing-specialist": ("billing-specialist.txt", "US front-office specialist and biller (text)"),
}
BATCH = ("postings.csv", "24 real postings (CSV)")


def available() -> list[tuple[str, str]]:
    """Return [(name, label)] of the single-posting examples present in this checkout."""
    return [(name, label) for name, (file, label) in POSTINGS.items()
            if (EXAMPLES_DIR / file).is_file()]


def posting_text(name: str) -> str | None:
    entry = POSTINGS.get(name)
    if entry is None:
        return None
    path = EXAMPLES_DIR / entry[0]
    return path.read_text(encoding="utf-8") if path.is_file() else None


def batch_path() -> Path | None:
    path = EXAMPLES_DIR / BATCH[0]
    return path if path.is_file() else None
