"""The aggregates behind a batch's report page, from its stored analyses.

Postings that do not fit the skill set's occupation (a nurse's posting in a
file of receptionists') are counted apart and left out of the market figures.

``build_report`` is a pure function over result rows, streamed once, so the API,
the CLI and the HTML pages all show the same figures. ``batch_report`` builds it
live while a batch runs and only once when it is finished.
"""

from __future__ import annotations

import re
import statistics
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select, text, update

from models.record import describe_skills
from models.scoring import describe_gaps, record_skillset
from worker.db import get_autocommit, session_scope
from worker.export import tier_share
from worker.locations import normalise
from worker.results import ResultRow, iter_results
from worker.storage import CANCELLED, DONE, FAILED, FINISHED, Batch

TOP = 20
FAILED_ROWS = 100
BINS = 10
MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")
DMY_RE = re.compile(r"\b\d{1,2}[/.](\d{1,2})[/.](\d{4})\b")


def month_of(date: str | None) -> str | None:
    """Return 'YYYY-MM' from an ISO or day/month/year date, else None."""
    if not date:
        return None
    if m := MONTH_RE.search(date):
        year, month = m.group(1), int(m.group(2))
    elif m := DMY_RE.search(date):
        year, month = m.group(2), int(m.group(1))
    else:
        return None
    return f"{year}-{month:02d}" if 1 <= month <= 12 else None


RAW_VALUES = 5
# The breakdowns of the report: by the row's company, its normalised location, the
# location's state or county, the posting's country (its record's locale) and month.
BREAKDOWNS = ("company", "location", "region", "country", "month")
UNKNOWN_COUNTRY = "unknown"


class _Group:
    __slots__ = ("count", "scores", "percentiles", "raw")

    def __init__(self) -> None:
        self.count = 0
        self.scores: list[float] = []
        self.percentiles: list[float] = []
        self.raw: Counter[str] = Counter()

    def out(self, name: str) -> dict[str, Any]:
        mean = round(statistics.fmean(self.scores), 4) if self.scores else None
        group: dict[str, Any] = {"name": name, "count": self.count, "mean_score": mean}
        if self.percentiles:
            group["median_percentile"] = round(statistics.median(self.percentiles), 1)
        if self.raw:
            # The values as the file gave them, most frequent first.
            group["raw"] = [v for v, _ in sorted(self.raw.items(), key=lambda kv: (-kv[1], kv[0]))[:RAW_VALUES]]
        return group


def _places(location: str | None) -> tuple[str | None, str | None]:
    """(normalised location, its state or county with the country) of a row's location."""
    place = normalise(location)
    if place is None:
        return None, None
    region = f"{place.region}, {place.country}" if place.region and place.country else place.region
    return place.name or None, region


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _histogram(scores: list[float]) -> list[dict[str, Any]]:
    if not scores:
        return []
    # The engine's scores are 0-1 or 0-100; the bins follow whichever it is.
    top = 100.0 if max(scores) > 1.0 else 1.0
    width = top / BINS
    counts = [0] * BINS
    for s in scores:
        counts[min(BINS - 1, max(0, int(s / width)))] += 1
    return [
        {"from": round(i * width, 4), "to": round((i + 1) * width, 4), "count": c}
        for i, c in enumerate(counts)
    ]


def build_report(rows: Iterable[ResultRow], *, top: int | None = TOP) -> dict[str, Any]:
    """Return the report aggregates of a batch's result rows (``top``: the groups, gaps and
    extras each list keeps, the most frequent first; None: all of them)."""
    total = analysed = failed = pending = cancelled = not_fitting = 0
    not_fitting_rows: list[dict[str, Any]] = []
    percentiles: list[float] = []
    skills: dict[str, dict[str, Any]] = {}
    gaps: Counter[str] = Counter()
    gap_info: dict[str, dict[str, Any]] = {}
    extras: Counter[str] = Counter()
    extra_names: dict[str, str] = {}
    scores: list[float] = []
    coverages: dict[str, list[float]] = defaultdict(list)
    groups: dict[str, dict[str, _Group]] = defaultdict(lambda: defaultdict(_Group))
    # Per skill, how many postings of each month ask for it; and how many postings each month has.
    skill_months: dict[str, Counter[str]] = defaultdict(Counter)
    month_postings: Counter[str] = Counter()
    failed_rows: list[dict[str, Any]] = []
    # Cancelled rows come in runs (whole chunks): listed as ranges of row numbers.
    cancelled_rows: list[dict[str, int]] = []

    for r in rows:
        total += 1
        if r.status == FAILED:
            failed += 1
            if len(failed_rows) < FAILED_ROWS:
                failed_rows.append({"row": r.row, "id": r.source_id, "error": r.error})
            continue
        if r.status == CANCELLED:
            cancelled += 1
            if cancelled_rows and cancelled_rows[-1]["to"] == r.row - 1:
                cancelled_rows[-1]["to"] = r.row
            elif len(cancelled_rows) < FAILED_ROWS:
                cancelled_rows.append({"from": r.row, "to": r.row})
            continue
        if r.status != DONE or not r.record:
            pending += 1
            continue
        analysed += 1
        rec = r.record
        fit = rec.get("fit")
        if isinstance(fit, dict) and fit.get("fits") is False:
            not_fitting += 1
            if len(not_fitting_rows) < FAILED_ROWS:
                not_fitting_rows.append({"row": r.row, "id": r.source_id, "title": r.title or rec.get("title"),
                                         "probability": fit.get("probability")})
            continue
        market = rec.get("market")
        percentile = None
        if isinstance(market, dict) and isinstance(market.get("percentile"), int | float):
            percentile = float(market["percentile"])
            percentiles.append(percentile)
        month = month_of(r.date)
        if month:
            month_postings[month] += 1
        score = rec.get("score")
        if isinstance(score, int | float):
            scores.append(float(score))
        for tier in ("foundation", "modern"):
            share = tier_share(rec.get("coverage"), tier)
            if share is not None:
                coverages[tier].append(share)
        for s in {s["id"]: s for s in rec.get("skills") or [] if isinstance(s, dict)}.values():
            if s["id"] not in skills:
                # Its name, category and tier are the skill set's (``models.record``).
                described = describe_skills([s], record_skillset(rec))[0]
                skills[s["id"]] = {
                    "id": s["id"], "name": described.get("name"), "category": described.get("category"),
                    "tier": described.get("tier"), "count": 0, "requirement": Counter(),
                }
            entry = skills[s["id"]]
            entry["count"] += 1
            entry["requirement"][s.get("requirement") or "unknown"] += 1
            if month:
                skill_months[s["id"]][month] += 1
        for g in rec.get("gaps") or []:
            if isinstance(g, dict) and g.get("id"):
                gaps[g["id"]] += 1
                if g["id"] not in gap_info:
                    described = describe_gaps([g], record_skillset(rec))[0]
                    gap_info[g["id"]] = {"name": described.get("name"), "tier": described.get("tier")}
        for e in rec.get("extras") or []:
            key = str(e.get("id") or e.get("name")) if isinstance(e, dict) else str(e)
            extras[key] += 1
            extra_names.setdefault(key, e.get("name", key) if isinstance(e, dict) else key)
        company = r.company or rec.get("company")
        location, region = _places(r.location)
        country = rec.get("locale") or UNKNOWN_COUNTRY
        for kind, value in (("company", company), ("location", location), ("region", region),
                            ("country", country), ("month", month)):
            if value:
                group = groups[kind][value]
                group.count += 1
                if isinstance(score, int | float):
                    group.scores.append(float(score))
                if percentile is not None:
                    group.percentiles.append(percentile)
                if kind in ("location", "region") and r.location:
                    group.raw[r.location] += 1

    compared = analysed - not_fitting  # the postings the market figures are of
    skill_list = sorted(skills.values(), key=lambda s: (-s["count"], s["id"]))
    for s in skill_list:
        s["share"] = _share(s["count"], compared)
        s["requirement"] = dict(s["requirement"])
    by_tier: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in skill_list:
        by_tier[s["tier"] or "other"].append(s)

    def top_groups(kind: str) -> list[dict[str, Any]]:
        items = groups.get(kind, {})
        if kind == "month":
            return [items[k].out(k) for k in sorted(items)]
        ranked = sorted(items.items(), key=lambda kv: (-kv[1].count, kv[0]))[:top]
        return [g.out(name) for name, g in ranked]

    months = sorted(month_postings)

    return {
        "postings": total,
        "analysed": analysed,
        "failed": failed,
        "pending": pending,
        "not_fitting": not_fitting,
        "compared": compared,
        "not_fitting_rows": not_fitting_rows,
        # Rows a cancel left unanalysed, and the first runs of them by row number.
        "cancelled": cancelled,
        "cancelled_rows": cancelled_rows,
        "skills": skill_list,
        "by_tier": dict(by_tier),
        "score": {
            "mean": round(statistics.fmean(scores), 4) if scores else None,
            "median": round(statistics.median(scores), 4) if scores else None,
            "histogram": _histogram(scores),
        },
        "percentile": {
            "median": round(statistics.median(percentiles), 1) if percentiles else None,
            "histogram": _histogram(percentiles) if percentiles else [],
        },
        # The mean share of each tier's skills that a posting asks for.
        "coverage": {tier: round(statistics.fmean(v), 4) for tier, v in coverages.items()},
        "gaps": [
            {"id": k, **gap_info[k], "count": c, "share": _share(c, compared)}
            for k, c in gaps.most_common(top)
        ],
        "extras": [
            {"id": k, "name": extra_names[k], "count": c, "share": _share(c, compared)}
            for k, c in extras.most_common(top)
        ],
        **{f"by_{kind}": top_groups(kind) for kind in BREAKDOWNS},
        # How many groups each breakdown has: more than it lists when it was cut to the top ones.
        "groups": {kind: len(groups.get(kind, {})) for kind in BREAKDOWNS},
        "gaps_total": len(gaps),
        "extras_total": len(extras),
        # Per skill, how many postings of each month ask for it (months with a date only).
        "trend": {
            "months": months,
            "postings": [month_postings[m] for m in months],
            "skills": [{"id": s["id"], "name": s["name"], "tier": s["tier"],
                        "counts": [skill_months[s["id"]][m] for m in months]}
                       for s in skill_list if skill_months[s["id"]]],
        },
        "failed_rows": failed_rows,
    }


_STATE = select(Batch.status, Batch.total, (Batch.done + Batch.failed).label("processed"),
                Batch.report, Batch.report_processed)
# The first key of the PostgreSQL advisory locks taken while a report is built.
REPORT_LOCK = 7_115_023


def _state(url: str, batch_id: str) -> Any:
    with session_scope(url) as session:
        return session.execute(_STATE.where(Batch.id == batch_id)).first()


def _stored(batch: Any) -> dict[str, Any] | None:
    """Return the batch's stored report if it is still that of its rows."""
    if batch.report is not None and batch.report_processed == batch.processed:
        return batch.report
    return None


@contextmanager
def _one_builder(url: str, batch_id: str) -> Iterator[None]:
    """Let one process at a time build a finished batch's report (PostgreSQL only).

    The worker that finished a batch builds its report at once; a view arriving
    meanwhile waits for it and reads it rather than building a second one beside
    it, as do views that arrive while another view builds it. The lock goes with
    its connection if the process dies. On SQLite two may be built at once.
    """
    engine = get_autocommit(url)
    if engine.dialect.name != "postgresql":
        yield
        return
    keys = {"a": REPORT_LOCK, "b": zlib.crc32(batch_id.encode()) - 2**31}
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:a, :b)"), keys)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:a, :b)"), keys)


def batch_report(url: str, batch_id: str) -> dict[str, Any]:
    """Return a batch's report: built live while it runs, stored once it is finished.

    A finished batch's rows change no more, except those of chunks still running
    when it was cancelled: the stored report is served only while the batch's done
    + failed count is the one it was built from, and is built again otherwise.
    """
    batch = _state(url, batch_id)
    if batch is None:
        return build_report([])
    if (report := _stored(batch)) is not None:
        return report
    # Until the whole file is stored (total known), a cancelled batch may still get rows.
    if batch.status not in FINISHED or batch.total is None:
        return build_report(iter_results(url, batch_id))
    with _one_builder(url, batch_id):
        # Another process may have stored it while this one waited.
        batch = _state(url, batch_id)
        if (report := _stored(batch)) is not None:
            return report
        report = build_report(iter_results(url, batch_id))
        with session_scope(url, write=True) as session:
            # Not if a row finished meanwhile: this report would never be served, and
            # could replace a newer one.
            session.execute(
                update(Batch)
                .where(Batch.id == batch_id, Batch.done + Batch.failed == batch.processed)
                .values(report=report, report_processed=batch.processed)
            )
    return report
