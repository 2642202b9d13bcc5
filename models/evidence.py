"""A skill's record in an analysis: its level and the evidence spans of its accepted mentions."""

from __future__ import annotations

from typing import Any

REQUIREMENT_RANK = {"unspecified": 0, "preferred": 1, "required": 2}
MAX_EVIDENCE = 5


def add_evidence(evidence: list[dict[str, Any]], text: str, start: int, end: int) -> None:
    """Add a span to a skill's evidence, joined to one it overlaps or touches.

    "knowledge of medical" and "terminology" are one piece of evidence, not two
    chips; only spaces and hyphens may stand between the spans joined.
    """
    for e in evidence:
        a, b = (e["end"], start) if e["end"] <= start else (end, e["start"]) if end <= e["start"] else (0, 0)
        if text[a:b].strip(_JOINING):  # not only joining characters (strip stops at the first other)
            continue
        e["start"], e["end"] = min(e["start"], start), max(e["end"], end)
        e["text"] = text[e["start"]:e["end"]]
        return
    if len(evidence) < MAX_EVIDENCE:
        evidence.append({"text": text[start:end], "start": start, "end": end})


_JOINING = " -\u2010\u2011"
