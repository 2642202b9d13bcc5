"""Narrowing a batch's postings table to the postings behind a figure of its report.

A bar of the skills chart, a gap, a company, a location, a country, a month or a
band of the score histogram each link to the table filtered by it: the same
groups the report counts (``worker/report.py``), in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import and_, or_, select, text
from sqlalchemy.sql.elements import ColumnElement, TextClause

from worker.db import get_engine, session_scope
from worker.locations import normalise
from worker.report import UNKNOWN_COUNTRY, month_of
from worker.storage import Analysis, BatchRow

MAX_VALUE = 200


@dataclass(frozen=True)
class RowFilter:
    """The filters of the postings table, each empty when not used."""

    skill: str = ""
    gap: str = ""
    company: str = ""
    location: str = ""
    region: str = ""
    country: str = ""
    month: str = ""
    band: str = ""  # "30-40": an alignment score from 30 to under 40 (to 100 inclusive)
    fits: str = ""  # "no": the postings not of the skill set's occupation

    @classmethod
    def from_args(cls, args: Any) -> RowFilter:
        return cls(**{f.name: str(args.get(f.name, "")).replace("\x00", "").strip()[:MAX_VALUE]
                      for f in fields(cls)})

    def active(self) -> dict[str, str]:
        """The filters in use, {name: value}: for links that keep them."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    def without_each(self) -> dict[str, dict[str, str]]:
        """For each filter in use, the others: the link that removes it keeps them."""
        active = self.active()
        return {name: {k: v for k, v in active.items() if k != name} for name in active}

    def clauses(self, url: str, batch_id: str) -> list[ColumnElement[bool] | TextClause]:
        """WHERE clauses over batch_rows outer-joined with analyses."""
        dialect = get_engine(url).dialect.name
        where: list[ColumnElement[bool] | TextClause] = []
        if self.skill:
            where.append(_names(dialect, "skills", self.skill, "f_skill"))
        if self.gap:
            where.append(_names(dialect, "gaps", self.gap, "f_gap"))
        if self.company:
            where.append(or_(BatchRow.company == self.company, and_(
                BatchRow.company.is_(None), Analysis.record["company"].as_string() == self.company)))
        if self.country:
            locale = Analysis.record["locale"].as_string()
            where.append(locale.is_(None) if self.country == UNKNOWN_COUNTRY else locale == self.country)
        if self.location or self.region:
            where.append(BatchRow.location.in_(self._raw_locations(url, batch_id)))
        if self.month:
            where.append(BatchRow.date.in_(self._raw_values(url, batch_id, BatchRow.date,
                                                            lambda d: month_of(d) == self.month)))
        if self.fits == "no":
            where.append(Analysis.record[("fit", "fits")].as_boolean().is_(False))
        if band := _band(self.band):
            low, high = band
            where.append(and_(Analysis.score >= low,
                              Analysis.score <= high if high >= 100 else Analysis.score < high))
        return where

    def _raw_locations(self, url: str, batch_id: str) -> list[str]:
        def matches(raw: str) -> bool:
            place = normalise(raw)
            if place is None:
                return False
            region = f"{place.region}, {place.country}" if place.region and place.country else place.region
            return (not self.location or place.name == self.location) and (
                not self.region or region == self.region)
        return self._raw_values(url, batch_id, BatchRow.location, matches)

    @staticmethod
    def _raw_values(url: str, batch_id: str, column: Any, keep: Any) -> list[str]:
        """The batch's distinct values of a column that ``keep`` accepts."""
        with session_scope(url) as session:
            values = session.scalars(select(column).distinct().where(
                BatchRow.batch_id == batch_id, column.is_not(None))).all()
        return [v for v in values if keep(v)]


def _names(dialect: str, key: str, skill_id: str, param: str) -> TextClause:
    """The analysis's ``key`` list (skills, gaps) holds a skill with this id."""
    if dialect == "postgresql":
        sql = (f"EXISTS (SELECT 1 FROM json_array_elements(analyses.record -> '{key}') AS e "
               f"WHERE e ->> 'id' = :{param})")
    else:
        sql = (f"EXISTS (SELECT 1 FROM json_each(analyses.record, '$.{key}') "
               f"WHERE json_extract(value, '$.id') = :{param})")
    return text(sql).bindparams(**{param: skill_id})


def _band(value: str) -> tuple[float, float] | None:
    """(low, high) of "30-40", else None."""
    low, sep, high = value.partition("-")
    try:
        band = (float(low), float(high))
    except ValueError:
        return None
    return band if sep and 0 <= band[0] < band[1] <= 100 else None
