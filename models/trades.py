"""Who a posting is for: a healthcare employer or another trade.

A hotel's front desk, a bank's billing and a restaurant's check-in use the words
of a medical front office for something else. The cues are data
(``models/data/trades.toml``): outside healthcare the skill set's medical skills
do not count, and in a named trade (hotels and restaurants) the skills it names
do not either. Only words outside the boilerplate sections count, so a hotel's
"medical, dental and vision" benefits do not make it a clinic.
"""

from __future__ import annotations

import functools
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

from models.sections import BOILERPLATE_SECTIONS
from models.text import Tokens, stem
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
class Trades:
    healthcare: frozenset[str]  # stems
    trades: tuple[Trade, ...]
    least_words: int = 0  # shorter postings are not judged

    def of(self, toks: Tokens, blocks: Iterable[Block]) -> tuple[bool, Trade | None]:
        """(is the posting a healthcare one, the other trade it is of or None).

        Counts the cue words of the blocks outside boilerplate sections.
        """
        if len(toks.stems) < self.least_words:
            return True, None
        stems: list[str] = []
        for block in blocks:
            if block.section not in BOILERPLATE_SECTIONS:
                stems += toks.stems[bisect_left(toks.starts, block.start):bisect_left(toks.starts, block.end)]
        healthcare = sum(map(self.healthcare.__contains__, stems))
        best, most = None, 0
        for trade in self.trades:
            n = sum(map(trade.words.__contains__, stems))
            if n >= trade.least and n > healthcare and n > most:
                best, most = trade, n
        return healthcare > 0, best

    def excluded(self, toks: Tokens, blocks: Iterable[Block], medical: frozenset[str]) -> tuple[frozenset[str], str]:
        """The skill ids that do not count in a posting, and why ("other trade: ...", or "")."""
        healthcare, trade = self.of(toks, blocks)
        if trade is not None:
            return trade.skills | medical, f"other trade: {trade.id}"
        if not healthcare:
            return medical, "other trade"
        return frozenset(), ""


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
    return Trades(healthcare, trades, least_words)
