"""Who a posting is for: a healthcare employer or another trade, and the role its title names.

A hotel's front desk, a bank's billing and a restaurant's check-in use the words
of a medical front office for something else. The cues are data
(``models/data/trades.toml``): outside healthcare the skill set's medical skills
do not count, and in a named trade (hotels and restaurants) the skills it names
do not either. Only words outside the boilerplate sections count, so a hotel's
"medical, dental and vision" benefits do not make it a clinic. A back-office
title (payment poster, billing specialist) names a role whose postings speak of
the front desk's co-pays and check-ins as others' work.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from models.sections import BOILERPLATE_SECTIONS
from models.text import Tokens, stem, tokenize
from models.toml import tomllib

if TYPE_CHECKING:
    from models.parsing import Block

TRADES_FILE = "trades.toml"


class TradesError(ValueError):
    """The trades file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Trade:
    id: str
    name: str
    words: frozenset[str]  # stems
    least: int
    skills: frozenset[str]  # skill ids that do not count in the trade's postings


@dataclass(frozen=True)
class Role:
    id: str
    title: frozenset[str]  # stems, one of which names the role in a posting's title
    unless: frozenset[str]  # stems that, in the title too, make it another role
    skills: frozenset[str]  # skill ids that do not count in the role's postings


@dataclass(frozen=True)
class Trades:
    healthcare: frozenset[str]  # stems
    trades: tuple[Trade, ...]
    least_words: int = 0  # shorter postings are not judged
    title_words: frozenset[str] = frozenset()  # stems that count as healthcare in the title
    roles: tuple[Role, ...] = ()

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

    def role_of(self, title: set[str]) -> Role | None:
        """The role a posting's title (its stems) names, or None."""
        return next((r for r in self.roles if r.title & title and not r.unless & title), None)

    def excluded(self, toks: Tokens, blocks: list[Block], title: str | None, medical: frozenset[str]) -> frozenset[str]:
        """The ids of the skills that do not count in a posting, for its trade and its title's role."""
        title_stems = set(tokenize(title or "").stems)
        healthcare, trade = self.of(toks, blocks, title_stems)
        out = frozenset() if healthcare and trade is None else medical
        if trade is not None:
            out |= trade.skills
        role = self.role_of(title_stems)
        return out | role.skills if role is not None else out


@functools.cache
def load_trades() -> Trades:
    """The shipped trade cues, read and checked once."""
    text = (resources.files("models.data") / TRADES_FILE).read_text(encoding="utf-8")
    return parse_trades(text, TRADES_FILE)


def parse_trades(text: str, source: str) -> Trades:
    data = tomllib.loads(text)
    try:
        healthcare = frozenset(map(stem, data["healthcare"]["words"]))
        least_words = int(data["healthcare"].get("least_words", 0))
        title_words = frozenset(map(stem, data["healthcare"].get("title_words", ())))
        roles = tuple(
            Role(r["id"], frozenset(map(stem, r["title"])), frozenset(map(stem, r.get("unless", ()))),
                 frozenset(r["skills"]))
            for r in data.get("roles", ())
        )
        trades = tuple(
            Trade(t["id"], t["name"], frozenset(map(stem, t["words"])), int(t.get("least", 1)),
                  frozenset(t.get("skills", ())))
            for t in data.get("trades", ())
        )
    except (KeyError, TypeError) as e:
        raise TradesError(f"{source}: missing or malformed entry ({e!r})") from e
    if not healthcare:
        raise TradesError(f"{source}: [healthcare] words is empty")
    for t in trades:
        if not t.words or t.least < 1:
            raise TradesError(f"{source}: trade {t.id!r} needs words and a least of 1 or more")
    return Trades(healthcare, trades, least_words, title_words, roles)
