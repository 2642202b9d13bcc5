"""A scikit-learn estimator that maps wording the aliases miss onto skill ids.

Postings misspell ("recepcionist", "confidentialty") and paraphrase
("electronic charting system", "patient booking software"). The matcher embeds
phrases as TF-IDF character n-grams and finds the nearest alias; a phrase takes
that alias's skill when the cosine similarity clears a threshold. The thresholds
are fixed (``PHRASE_THRESHOLD``, ``WORD_THRESHOLD``): calibrating them at every fit,
on misspelt aliases (positives) against ordinary posting phrases that are not
skills (negatives, ``models/data/background-phrases.txt``), moved them with every
alias added anywhere, and with them matches of unrelated skills. ``threshold=None``
still calibrates; a test checks that the calibration stays near the fixed values.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import numpy as np
from sklearn import config_context
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer

from models.calibration import calibrate
from models.skillset import SkillSet
from models.text import Tokens, phrase_stems

STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it of on or our the their this to we will "
    "with you your all any can may must who which that within into per via also other such "
    "including include etc well able use using used ensure provide providing work working".split()
)


# Kinds of posting words: a word of some alias; an unknown word; an unknown word that
# is within the letters _plausible allows of some alias (it may be a misspelling on its own).
ANCHOR, UNKNOWN, SPELT = 1, 2, 3
# A word alone is taken for a misspelling from this length: a shorter one is as likely
# another real word a letter away ("sodium" is not "Podium").
SPELT_ALONE = 7
BATCH = 64  # phrases compared with the aliases at once
# What a phrase matched to an alias needs: (near, context, asked, unless, alone).
AliasContext = tuple[tuple[str, ...], tuple[str, ...], bool, tuple[str, ...], bool]


def _deletions(word: str, most: int) -> set[str]:
    """The word and every string made by deleting up to ``most`` of its letters.

    Two words at most k edits apart (insert, delete, change or swap) share one
    of these strings with k deletions each: a cheap test for "may be close".
    """
    out = last = {word}
    for _ in range(most):
        last = _one_letter_fewer(last)
        out |= last
    return out


def _one_letter_fewer(words: set[str]) -> set[str]:
    return {w[:i] + w[i + 1:] for w in words for i in range(len(w))}


def background_phrases() -> list[str]:
    """Ordinary posting phrases that are not skills: the matcher's negatives."""
    text = (resources.files("models.data") / "background-phrases.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


SUFFIXES = frozenset(
    "|s|es|ed|d|ing|er|ers|r|ion|ions|al|ial|y|ary|ic|ical|ly|ment|ments|e|ate|ated|ity|ities|"
    "ier|iers|ies|ied|ication|ications|ing|ings|ive|ively|ise|ize|ised|ized|ist|ists|ism|or|ors".split("|")
)


def _variant(a: str, b: str) -> bool:
    """Are two words forms of one stem ("secretary"/"secretarial"), not a typo?"""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    # "decontaminat|ing" and "decontaminat|ion": the stem may end before the
    # letters the two forms happen to share.
    return any(a[k:] in SUFFIXES and b[k:] in SUFFIXES for k in range(n, 3, -1))


def _edits(a: str, b: str) -> int:
    """Letters to insert, delete, change or swap to turn ``a`` into ``b`` (optimal string alignment)."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        prev2, prev = prev, row
    return prev[-1]


# The calibration's floors, where it stood on the built-in skill sets until engine 13's last
# aliases moved it: a multi-word phrase needs the higher bar, since character n-grams ignore word
# order ("patients who experience" sits near "patient experience"), while a misspelt word is
# near only itself.
PHRASE_THRESHOLD = 0.85
WORD_THRESHOLD = 0.75


class SkillMatcher(BaseEstimator):
    """Nearest-alias matcher over TF-IDF character n-grams.

    Parameters
    ----------
    ngram_range : tuple of int
        Character n-gram sizes (within word boundaries).
    threshold : float or None
        Minimum cosine similarity to accept a multi-word phrase's match (and a single
        word's, unless ``word_threshold`` is given); None calibrates both in ``fit``.
    word_threshold : float or None
        The same for a single word (a misspelling); None: as ``threshold``.
    target_precision : float
        Precision the calibrated phrase threshold must reach on the calibration set.
    word_target_precision : float
        The same for single words (misspellings), which have their own threshold.
    min_chars : int
        Shorter candidate phrases are never matched (too ambiguous).
    random_state : int
        Seed for the misspellings generated for calibration.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 4),
        threshold: float | None = PHRASE_THRESHOLD,
        word_threshold: float | None = WORD_THRESHOLD,
        target_precision: float = 0.98,
        word_target_precision: float = 0.9,
        min_chars: int = 5,
        random_state: int = 0,
    ) -> None:
        self.ngram_range = ngram_range
        self.threshold = threshold
        self.word_threshold = word_threshold
        self.target_precision = target_precision
        self.word_target_precision = word_target_precision
        self.min_chars = min_chars
        self.random_state = random_state

    def fit(self, X: list[str], y: list[str], negatives: list[str] | None = None) -> SkillMatcher:
        """Fit on alias phrases ``X`` with skill ids ``y``; calibrate on ``negatives``."""
        phrases = [p.lower() for p in X]
        self.vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=self.ngram_range, sublinear_tf=True, dtype=np.float32
        )
        matrix = self.vectorizer_.fit_transform(phrases + [n.lower() for n in negatives or []])
        self.alias_matrix_ = matrix[: len(phrases)]
        self.alias_t_ = self.alias_matrix_.T.tocsr()  # by n-gram: four times faster to multiply than by column
        self.labels_ = np.asarray(y, dtype=object)
        self.phrases_ = phrases
        known = {stem for p in phrases for stem in phrase_stems(p)}
        self.anchors_ = frozenset(w for w in known if w not in STOPWORDS and len(w) > 2)
        # Words that ordinary postings use all the time are not misspelt skills.
        self.common_words_ = frozenset(
            stem for n in negatives or [] for stem in phrase_stems(n) if stem not in known
        )
        if self.threshold is not None:
            self.threshold_ = float(self.threshold)
            self.word_threshold_ = float(self.threshold if self.word_threshold is None else self.word_threshold)
        else:
            # Never below the fixed thresholds, the calibration's floors (see there).
            phrase_bar, word_bar = calibrate(self, phrases, y, negatives or [])
            self.threshold_, self.word_threshold_ = max(PHRASE_THRESHOLD, phrase_bar), max(WORD_THRESHOLD, word_bar)
        # What is left of each alias after deleting as many letters as _plausible lets a
        # single word differ from it (one under 12 characters, two from 12): a word
        # that shares none of these with its own deletions is further from every
        # alias, and is not compared with them at all.
        short = [p.replace(" ", "") for p in phrases if len(p) < 12]
        long = [p.replace(" ", "") for p in phrases if len(p) >= 12]
        self.short_deletions_ = frozenset(d for p in short for d in _deletions(p, 1))
        self.long_deletions_ = frozenset(d for p in long for d in _deletions(p, 2))
        self.long_reach_ = min(map(len, long), default=0) - 2  # no shorter word is two edits from one
        self.most_reach_ = max(map(len, short + long), default=0) + 2  # nor any longer word
        self.cache_: dict[str, int | None] = {}
        self.alias_context_: list[AliasContext] = [((), (), False, (), True)] * len(phrases)
        return self

    def fit_skillsets(self, *skillsets: SkillSet) -> SkillMatcher:
        """Fit on the word aliases of skill sets (patterns and case-sensitive ones are left out).

        An alias's context words (``near``, ``context``, ``unless``), ``asked`` and ``alone`` are kept
        beside it in ``alias_context_``: a phrase matched to that alias needs the
        same context.
        """
        X: list[str] = []
        y: list[str] = []
        context: list[AliasContext] = []
        seen: set[str] = set()
        for skillset in skillsets:
            for skill in skillset.skills:
                if skill.id in seen:
                    continue
                seen.add(skill.id)
                for alias in skill.aliases:
                    if alias.pattern or alias.case or len(alias.phrase) < self.min_chars:
                        continue
                    X.append(alias.phrase)
                    y.append(skill.id)
                    context.append((alias.near, alias.context, alias.asked, alias.unless, alias.alone))
        self.fit(X, y, negatives=background_phrases())
        self.alias_context_ = context
        return self

    def _nearest(self, phrases: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity to, and index of, each phrase's nearest alias.

        TF-IDF rows are L2-normalised, so a sparse dot product is the cosine
        (what NearestNeighbors(metric="cosine", algorithm="brute") computes).
        """
        if len(phrases) > BATCH:
            # Fitting calibrates on thousands of phrases: a batch at a time keeps
            # the dense similarity arrays small.
            parts = [self._nearest(phrases[i:i + BATCH]) for i in range(0, len(phrases), BATCH)]
            return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
        # The phrases come from our own tokenizer: scikit-learn's input checks, which
        # cost as much as the transform itself on one posting's few phrases, are skipped.
        with config_context(assume_finite=True, skip_parameter_validation=True):
            vectors = self.vectorizer_.transform(phrases)
        sims = (vectors @ self.alias_t_).toarray()
        indices = sims.argmax(axis=1)
        return sims[np.arange(len(phrases)), indices], indices

    def predict(self, X: list[str]) -> list[str | None]:
        """Skill id of each phrase, or None where no alias is near enough."""
        return [None if j is None else self.labels_[j] for j in self.match(X)]

    def match(self, X: list[str]) -> list[int | None]:
        """Index (into ``phrases_``) of each phrase's matching alias, or None."""
        out: list[int | None] = [None] * len(X)
        todo = []
        for i, phrase in enumerate(X):
            key = phrase.lower()
            if key in self.cache_:
                out[i] = self.cache_[key]
            elif len(key) >= self.min_chars:
                todo.append(i)
        if todo:
            sims, idx = self._nearest([X[i] for i in todo])
            for i, sim, j in zip(todo, sims, idx, strict=True):
                bar = self.threshold_ if " " in X[i].strip() else self.word_threshold_
                found = int(j) if sim >= bar and self._plausible(X[i], j) else None
                out[i] = found
                if len(self.cache_) < 200_000:
                    self.cache_[X[i].lower()] = found
        return out

    def _plausible(self, phrase: str, j: int) -> bool:
        """Refuse near misses that are not the same words.

        A truncated alias ("health care" for "health care law"), the alias's words
        in another order ("experience in patient" for "patient experience"), or
        another form of an alias word ("recorded" for "record", "Practice Manager"
        for "practice management"): aliases must list such forms themselves.
        """
        cand = phrase_stems(phrase)
        alias = phrase_stems(self.phrases_[j])
        if set(cand) < set(alias):
            return False
        if len(cand) < len(alias):
            # Fewer words than the alias: only its words run together ("SystemOne").
            joined = "".join(alias)
            word = "".join(cand)
            if not (word[:4] == joined[:4] and word[-2:] == joined[-2:]):
                return False
        shared = [w for w in cand if w in alias]
        if shared != [w for w in alias if w in shared]:
            return False
        if len(cand) == len(alias):
            pairs = [(a, b) for a, b in zip(cand, alias, strict=True) if a != b]
            if len(pairs) == 1 and _variant(*pairs[0]):
                return False
        if " " not in phrase.strip():
            # A misspelt word is a letter or two away from an alias of the skill ("recepcionist");
            # a different real word is further ("sympathetic" from "empathetic").
            word = phrase.lower()
            label = self.labels_[j]
            if not any(
                _edits(word, alias.replace(" ", "")) <= (1 if len(alias) < 12 else 2)
                for alias, other in zip(self.phrases_, self.labels_, strict=True) if other == label
            ):
                return False
        return True

    def candidates(
        self, toks: Tokens, covered: Any, text: str, kind: list[int]
    ) -> list[tuple[str, int, int]]:
        """Phrases of a posting worth asking the matcher about, with their offsets.

        Unknown words within a letter or two of an alias (possible misspellings:
        any further would fail ``_plausible``), and runs of two or three words with
        nothing but a space or hyphen between them, of which one is unknown and the
        others are alias words ("medical terminolgy"). Runs of alias words alone
        are left to the aliases: measured, the matcher added nothing on them.
        ``kind`` holds each word's ``kind`` (the caller keeps them per word).
        """
        words, starts = toks.words, toks.starts
        n = len(words)

        def free_anchor(j: int) -> bool:
            return 0 <= j < n and kind[j] == ANCHOR and not covered[j]

        def joined(j: int) -> bool:  # nothing but a space or hyphen before word j
            return text[starts[j - 1] + len(words[j - 1]):starts[j]] in (" ", "-")

        spans = []
        for u in [j for j, k in enumerate(kind) if k >= UNKNOWN]:  # UNKNOWN or SPELT
            if covered[u]:
                continue
            if kind[u] == SPELT:
                spans.append((u, u))
            # The runs of two or three words around the unknown one.
            left = free_anchor(u - 1) and joined(u)
            right = free_anchor(u + 1) and joined(u + 1)
            if left:
                spans.append((u - 1, u))
                if free_anchor(u - 2) and joined(u - 1):
                    spans.append((u - 2, u))
            if right:
                spans.append((u, u + 1))
                if left:
                    spans.append((u - 1, u + 1))
                if free_anchor(u + 2) and joined(u + 2):
                    spans.append((u, u + 2))
        spans.sort()
        return [(" ".join(words[a:b + 1]), starts[a], starts[b] + len(words[b])) for a, b in spans]

    def _within_reach(self, word: str) -> bool:
        """Could ``_plausible`` take this lower-case word for a misspelling of some alias?

        Only the word's one-letter deletions are needed against the short aliases,
        and its two-letter ones only when it is long enough for a long alias: most
        words then cost a dozen look-ups, not a hundred.
        """
        if len(word) > self.most_reach_:
            return False  # and a run of thousands of letters would cost minutes
        once = _deletions(word, 1)
        if not self.short_deletions_.isdisjoint(once):
            return True
        if len(word) < self.long_reach_:
            return False
        if not self.long_deletions_.isdisjoint(once):
            return True
        # Each pair of positions once: deleting from every one-letter deletion again
        # makes each string twice and costs half as much again.
        n = len(word)
        return not self.long_deletions_.isdisjoint(
            word[:i] + word[i + 1:j] + word[j + 1:] for i in range(n) for j in range(i + 1, n)
        )

    def kind(self, word: str, stem: str) -> int:
        """ANCHOR for a word of some alias, UNKNOWN or SPELT for a possible misspelling, else 0."""
        if stem in self.anchors_:
            kind = ANCHOR
        elif len(word) >= 5 and stem not in self.common_words_ and stem not in STOPWORDS and not word.isdigit():
            kind = SPELT if len(word) >= SPELT_ALONE and self._within_reach(word.lower()) else UNKNOWN
        else:
            kind = 0
        return kind
