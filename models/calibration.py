"""How the misspelling matcher's thresholds were chosen: misspelt aliases against ordinary phrases.

Each alias is misspelt once (a letter dropped, doubled or swapped, words joined) and
matched, with the ordinary posting phrases that are not skills, against all the
aliases; a threshold is the lowest similarity at which the matches at or above it keep
the target precision. ``SkillMatcher(threshold=None)`` calibrates at fit time; the
shipped thresholds are fixed (models/matcher.py), and a test keeps them near this.
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from models.matcher import SkillMatcher


def perturb(phrase: str, rng: np.random.Generator) -> str:
    """A plausible misspelling: drop, double or swap a letter, or join words."""
    chars = list(phrase)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if len(letters) < 4:
        return phrase
    op = rng.integers(0, 4)
    i = letters[rng.integers(1, len(letters) - 1)]
    if op == 0:
        del chars[i]
    elif op == 1:
        chars.insert(i, chars[i])
    elif op == 2 and i + 1 < len(chars):
        chars[i], chars[i + 1] = chars[i + 1], chars[i]
    else:
        return phrase.replace(" ", "") if " " in phrase else phrase + "s"
    return "".join(chars)


def lowest_precise(sims: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest similarity at which the matches at or above it are right at ``target`` precision (0.95: none)."""
    order = np.argsort(-sims)
    precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
    ok = np.where(precision >= target)[0]
    return float(sims[order][ok[-1]]) if len(ok) else 0.95


def calibrate(matcher: SkillMatcher, phrases: list[str], y: list[str], negatives: list[str]) -> tuple[float, float]:
    """(any phrase's threshold, a single word's): the lowest similarities at which a misspelling
    of each alias against ``negatives`` keeps ``target_precision``, and those of one-word aliases
    against one-word negatives ``word_target_precision``; both from one transform of the phrases."""
    # Each alias's misspelling comes from its own seed: with one generator for all,
    # adding an alias changed every later alias's misspelling, and the threshold
    # moved by as much as 0.05 with it.
    positives = [
        (perturb(p, np.random.default_rng([matcher.random_state, zlib.crc32(p.encode("utf-8"))])), label,
         " " not in p)
        for p, label in zip(phrases, y, strict=True) if len(p) >= 6
    ]
    known = set(phrases)
    positives = [(p, label, word) for p, label, word in positives if p.lower() not in known]
    negatives = [n for n in negatives if n.lower() not in known]
    sims, idx = matcher._nearest([p for p, _, _ in positives] + negatives)
    truth = np.array([label for _, label, _ in positives] + [None] * len(negatives), dtype=object)
    correct = np.array([matcher.labels_[i] == t for i, t in zip(idx, truth, strict=True)], dtype=bool)
    word = np.array([w for _, _, w in positives] + [" " not in n.strip() for n in negatives], dtype=bool)
    return (lowest_precise(sims, correct, matcher.target_precision),
            lowest_precise(sims[word], correct[word], matcher.word_target_precision))
