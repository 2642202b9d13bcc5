"""Who a posting is for: a healthcare employer or another trade, and the role its title names.

A hotel's front desk, a bank's billing and a restaurant's check-in use the words
of a medical front office for something else. The cues are data
(``models/data/trades.toml``): outside healthcare the skill set's medical skills
do not count, and in a named trade (hotels and restaurants) the skills it names
do not either. Only words outside the boilerplate sections count, so a hotel's
"medical, dental and vision" benefits do not make it a clinic. A back-office
title (payment poster, billing specialist) names a role whose postings speak of
the front desk's co-pays and check-ins as others' work; so does a clinical title
(nurse, phlebotomist, dental assistant) of the front office's appointments.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from models.sections import BOILERPLATE_SECTIONS
from models.text import Tokens, phrase_stems, stem, tokenize
from models.toml import entry_where, tomllib

if TYPE_CHECKING:
    from models.parsing import Block

TRADES_FILE = "trades.toml"


class TradesError(ValueError):
    """The trades file is malformed; the message names the file, the line and the entry."""


@dataclass(frozen=True)
class Trade:
    id: str
    name: str
    words: frozenset[str]  # stems
    least: int
    skills: frozenset[str]  # skill ids that do not count in the trade's postings


Phrase = tuple[str, ...]  # the stems of a word or of words that stand in a row


@dataclass(frozen=True)
class Role:
    id: str
    title: frozenset[Phrase]  # one of these names the role in a posting's title
    unless: frozenset[Phrase]  # one of these, in the title too, makes it another role
    skills: frozenset[str]  # skill ids that do not count in the role's postings
    own_duties: bool = False  # they count where a duty of the worker's own names them

    def of(self, title: Phrase) -> bool:
        """Whether a title (its stems, in order) names the role."""
        return names_any(self.title, title) and not names_any(self.unless, title)


def names_any(phrases: frozenset[Phrase], title: Phrase) -> bool:
    """Whether a title (its stems, in order) holds one of the phrases (stems in a row)."""
    longest = max(map(len, phrases), default=0)
    return any(title[i:i + n] in phrases for n in range(1, longest + 1) for i in range(len(title) - n + 1))


@dataclass(frozen=True)
class Trades:
    healthcare: frozenset[str]  # stems
    trades: tuple[Trade, ...]
    least_words: int = 0  # shorter postings are not judged
    title_words: frozenset[str] = frozenset()  # stems that count as healthcare in the title
    roles: tuple[Role, ...] = ()
    skills: frozenset[str] = frozenset()  # skill ids that, with the medical ones, count in healthcare only
    kept_by: frozenset[Phrase] = frozenset()  # a title that names one of these keeps ``skills`` anywhere

    def of(self, toks: Tokens, blocks: Iterable[Block], title: set[str]) -> tuple[bool, Trade | None]:
        """(is the posting a healthcare one, the other trade it is of or None).

        Counts the cue words of the blocks outside boilerplate sections, and of the
        title (the stems in ``title``) the words that count there.
        """
        if len(toks.stems) < self.least_words:
            return True, None
        stems: list[str] = []
        for block in blocks:
            if block.section not in BOILERPLATE_SECTIONS:
                stems += toks.stems[bisect_left(toks.starts, block.start):bisect_left(toks.starts, block.end)]
        healthcare = sum(map(self.healthcare.__contains__, stems)) + len(self.title_words & title)
        best, most = None, 0
        for trade in self.trades:
            n = sum(map(trade.words.__contains__, stems))
            if n >= trade.least and n > healthcare and n > most:
                best, most = trade, n
        return healthcare > 0, best

    def role_of(self, title: Phrase) -> Role | None:
        """The role a posting's title (its stems, in order) names, or None: the first that fits."""
        return next((r for r in self.roles if r.of(title)), None)

    def excluded_parts(
        self, toks: Tokens, blocks: list[Block], title: str | None, medical: frozenset[str]
    ) -> tuple[frozenset[str], frozenset[str]]:
        """(the skills that do not count in a posting, those that count only in a duty of the worker's own).

        The second are a role's with ``own_duties``: others' work as a rule, but a nurse who
        "Checks patients into the clinic" does the front desk's work too.
        """
        title_stems = tuple(tokenize(title or "").stems)
        healthcare, trade = self.of(toks, blocks, set(title_stems))
        if healthcare and trade is None:
            out: frozenset[str] = frozenset()
        else:
            out = medical if names_any(self.kept_by, title_stems) else medical | self.skills
        if trade is not None:
            out |= trade.skills
        role = self.role_of(title_stems)
        if role is None:
            return out, frozenset()
        return (out, role.skills - out) if role.own_duties else (out | role.skills, frozenset())


@functools.cache
def load_trades() -> Trades:
    """The shipped trade cues, read and checked once."""
    text = (resources.files("models.data") / TRADES_FILE).read_text(encoding="utf-8")
    return parse_trades(text, TRADES_FILE)


def parse_trades(text: str, source: str) -> Trades:
    """Read and check a trades file; each error names the file and the line of the entry at fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TradesError(f"{source}: {exc}") from None
    health = data.get("healthcare")
    if not isinstance(health, dict):
        raise TradesError(f"{source}, line 1: a [healthcare] table with its words is needed")
    header = re.search(r"^[ \t]*\[healthcare\]", text, re.M)
    where = f"{source}, line {text.count(chr(10), 0, header.start()) + 1 if header else '?'} ([healthcare])"
    healthcare = _stems(health, "words", where, needed=True)
    least_words = _count(health, "least_words", 0, where)
    title_words = _stems(health, "title_words", where)
    skills = frozenset(_strings(health, "skills", where))
    kept_by = _phrases(health, "kept_by", where)
    entries: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    search_from = 0
    for kind in ("trades", "roles"):
        raw = data.get(kind, [])
        if not isinstance(raw, list):
            raise TradesError(f"{source}: '{kind}' must be [[{kind}]] tables")
        for n, entry in enumerate(raw, 1):
            eid = entry.get("id") if isinstance(entry, dict) else None
            where, _, search_from = entry_where(text, source, kind[:-1], n, "id", eid, search_from)
            if not isinstance(entry, dict) or not isinstance(eid, str) or not eid:
                raise TradesError(f"{where}: each entry must be a table with an 'id'")
            entries.setdefault(kind, []).append((where, entry))
    trades = tuple(
        Trade(t["id"], _name(t, where), _stems(t, "words", where, needed=True), _count(t, "least", 1, where, least=1),
              frozenset(_strings(t, "skills", where)))
        for where, t in entries.get("trades", ())
    )
    roles = tuple(
        Role(r["id"], _phrases(r, "title", where, needed=True), _phrases(r, "unless", where),
             frozenset(_strings(r, "skills", where, needed=True)), _flag(r, "own_duties", where))
        for where, r in entries.get("roles", ())
    )
    return Trades(healthcare, trades, least_words, title_words, roles, skills, kept_by)


def _flag(entry: dict[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise TradesError(f"{where}: '{key}' must be true or false")
    return value


def _strings(entry: dict[str, Any], key: str, where: str, needed: bool = False) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise TradesError(f"{where}: '{key}' must be a list of words")
    if needed and not value:
        raise TradesError(f"{where}: '{key}' is empty")
    return value


def _stems(entry: dict[str, Any], key: str, where: str, needed: bool = False) -> frozenset[str]:
    return frozenset(map(stem, _strings(entry, key, where, needed)))


def _phrases(entry: dict[str, Any], key: str, where: str, needed: bool = False) -> frozenset[Phrase]:
    return frozenset(map(phrase_stems, _strings(entry, key, where, needed)))


def _count(entry: dict[str, Any], key: str, default: int, where: str, least: int = 0) -> int:
    value = entry.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise TradesError(f"{where}: '{key}' must be a whole number of {least} or more")
    return value


def _name(entry: dict[str, Any], where: str) -> str:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TradesError(f"{where}: 'name' must be a non-empty string")
    return name
