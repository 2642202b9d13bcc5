"""The verdict stage: does a posting ask for a skill that its aliases mention?

The aliases propose candidates (``Extractor.candidates``, with the hand rules'
verdict on each). Here a posting's candidates for one skill become one plain
description (which alias, section, requirement level, the words around the
mentions and of the title, what the rules made of them), and a class-weighted
logistic regression may veto a skill the rules accept; what the rules reject
(negated, boilerplate, not asked, alone) stays rejected. It is fitted once per process
on the labelled fixtures' descriptions in ``models/data/verdicts.jsonl``, for
the skill set named in ``verdicts.json`` (any other keeps the rules' verdict).

Cross-validated by labelled set (benchmarks/verdicts_cv.py), it raised micro
precision from 0.924 to 0.931 at a recall 0.005 lower. It ranks the readings
the rules get wrong (insurance in a nurse's posting, denials in collections, a
director's diary) well below the right ones, but the fixtures hold too few of
them for its threshold to veto most. ``scripts/make_verdicts_data.py`` makes the
data; run it again when the aliases, the context rules or the fixtures change.
"""

from __future__ import annotations

import functools
import json
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from models.extraction import Candidate
from models.parsing import Document
from models.text import tokenize

DATA = Path(__file__).resolve().parent / "data"
TRAINING = DATA / "verdicts.jsonl"
SETTINGS = DATA / "verdicts.json"
# Words either side of a mention, within its sentence, that describe its context.
WINDOW = 6
# What a description holds (``describe``), and so all a training row holds besides its label and set.
DESCRIPTION_KEYS = ("skill", "rules", "mentions", "skills_accepted", "aliases", "via", "sections", "levels",
                    "rejected", "words", "title")


def describe(doc: Document, candidates: Iterable[Candidate], own: frozenset[str]) -> dict[str, dict[str, Any]]:
    """Describe each skill of the skill set that the hand rules accept in a posting.

    Takes the parsed posting, its candidates and the ids of the skill set's own
    skills (extras are left to the rules); gives skill id -> a JSON-able
    description of all the skill's candidates, what ``features`` turns into the
    classifier's input. Skills the rules reject outright are not described: the
    classifier does not judge them.
    """
    text = doc.text
    by_skill: dict[str, list[Candidate]] = {}
    for c in candidates:
        if c.mention.skill.id in own:
            by_skill.setdefault(c.mention.skill.id, []).append(c)
    accepted = sum(any(not c.rejected for c in cs) for cs in by_skill.values())
    title = sorted({s for s in tokenize(doc.title or "").stems if len(s) > 2})
    sentences: dict[tuple[int, int], tuple[list[str], list[int]]] = {}  # span -> its stems and where they start
    out: dict[str, dict[str, Any]] = {}
    for sid, cs in by_skill.items():
        if all(c.rejected for c in cs):
            continue
        words: set[str] = set()
        for c in cs:
            s_start, s_end = c.sentence
            if c.sentence not in sentences:
                toks = tokenize(text[s_start:s_end])
                sentences[c.sentence] = toks.stems, [s_start + a for a in toks.starts]
            stems, starts = sentences[c.sentence]
            m = c.mention
            i, j = _word_at(starts, m.start), _word_at(starts, m.end - 1)
            words.update(stems[k] for k in range(max(0, i - WINDOW), min(len(stems), j + WINDOW + 1))
                         if not i <= k <= j)
        out[sid] = {
            "skill": sid,
            "rules": any(not c.rejected for c in cs),
            "mentions": len(cs),
            "skills_accepted": accepted,
            "aliases": sorted({text[c.mention.start:c.mention.end].lower() for c in cs}),
            "via": sorted({c.mention.via for c in cs}),
            "sections": sorted({c.section for c in cs}),
            "levels": sorted({c.level for c in cs}),
            "rejected": sorted({c.rejected or "no" for c in cs}),
            "words": sorted(words),
            "title": title,
        }
    return out


def features(description: dict[str, Any]) -> dict[str, float]:
    """The classifier's features of one description: its facts, alone and crossed with the skill."""
    sid = description["skill"]
    rules = float(description["rules"])
    f = {
        f"skill={sid}": 1.0, "rules": rules, f"{sid}|rules": rules,
        "mentions": math.log1p(description["mentions"]),
        "skills accepted": math.log1p(description["skills_accepted"]),
    }
    for alias in description["aliases"]:
        f[f"{sid}|alias={alias}"] = 1.0
    for key in ("via", "sections", "levels", "rejected"):
        for value in description[key]:
            f[f"{key}={value}"] = 1.0
    for section in description["sections"]:
        f[f"{sid}|sections={section}"] = 1.0
    for key, prefix in (("words", "w"), ("title", "t")):
        for word in description[key]:
            f[f"{prefix}={word}"] = 1.0
            f[f"{sid}|{prefix}={word}"] = 1.0
    return f


class VerdictClassifier(ClassifierMixin, BaseEstimator):
    """Class-weighted logistic regression over feature dicts, with a decision threshold.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    threshold : float
        Least probability of the positive class that ``predict`` calls positive;
        chosen by grouped cross-validation in ``scripts/make_verdicts_data.py``.
    class_weight : dict, "balanced" or None
        As for ``LogisticRegression``: most candidates are asked for, so the few
        that are not weigh more.
    """

    def __init__(self, C: float = 0.3, threshold: float = 0.5, class_weight: Any = "balanced") -> None:
        self.C = C
        self.threshold = threshold
        self.class_weight = class_weight

    def fit(self, X: Sequence[dict[str, float]], y: Sequence[int]) -> VerdictClassifier:
        """Fit on feature dicts ``X`` and binary labels ``y``; returns self."""
        if len(X) != len(y):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        self.vectorizer_ = DictVectorizer()
        matrix = self.vectorizer_.fit_transform(X)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000)
        # A fit this small is slower, not faster, on several BLAS threads of a busy machine
        # (22 s against 1 s measured with two cores shared).
        with threadpool_limits(1):
            self.model_.fit(matrix, np.asarray(y))
        self.classes_ = self.model_.classes_
        if len(self.classes_) != 2:
            raise ValueError(f"need two classes to learn a verdict, got {list(self.classes_)}")
        # Each feature's weight by name, for ``probabilities``.
        self.weights_ = dict(zip(self.vectorizer_.feature_names_, self.model_.coef_[0].tolist(), strict=True))
        self.intercept_ = float(self.model_.intercept_[0])
        return self

    def predict_proba(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        """Probabilities of each class (columns in ``classes_`` order)."""
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self.vectorizer_.transform(X))

    def probabilities(self, X: Sequence[dict[str, float]]) -> list[float]:
        """The positive class's probability of each row, as ``predict_proba(X)[:, 1]`` gives it.

        The logistic function of the weighted sum, in plain Python: for the few rows
        of one posting, ``predict_proba``'s conversions and checks cost a millisecond
        (measured), more than the engine spends on the rest of many a posting.
        """
        if not hasattr(self, "weights_"):  # check_is_fitted's own checks cost more than the sums
            raise NotFittedError("fit the VerdictClassifier before asking for probabilities")
        weights, intercept = self.weights_, self.intercept_
        return [float(expit(intercept + sum(weights.get(k, 0.0) * v for k, v in row.items()))) for row in X]

    def predict(self, X: Sequence[dict[str, float]]) -> np.ndarray:
        """The class of each row: the positive one where its probability reaches ``threshold``."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= self.threshold).astype(int)]


def load_training(path: Path = TRAINING) -> tuple[list[dict[str, Any]], list[int], list[str]]:
    """The shipped descriptions, their labels and their labelled sets; a bad line names file and line."""
    descriptions, labels, sets = [], [], []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            row = json.loads(line)
            labels.append(int(row.pop("label")))
            sets.append(row.pop("set"))
        except (ValueError, KeyError) as e:
            raise ValueError(f"{path}:{n}: not a verdict training row ({e})") from e
        descriptions.append(row)
    return descriptions, labels, sets


def settings(path: Path = SETTINGS) -> dict[str, Any]:
    """The shipped settings: the skill set the data is for, C and the threshold."""
    return json.loads(path.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def fitted(training: Path = TRAINING, settings_path: Path = SETTINGS) -> VerdictClassifier:
    """The classifier fitted on the shipped data, once per process."""
    params = settings(settings_path)
    descriptions, labels, _ = load_training(training)
    return VerdictClassifier(C=params["C"], threshold=params["threshold"]).fit(
        [features(d) for d in descriptions], labels)


def decide(
    classifier: VerdictClassifier, doc: Document, candidates: list[Candidate], own: frozenset[str]
) -> tuple[list[Candidate], dict[str, float]]:
    """The candidates that count, and the probability of each skill the classifier judged.

    Takes a posting's candidates. What the hand rules reject (negated,
    boilerplate, not asked) stays rejected; of the skills of the skill set that
    they accept, the classifier keeps those whose probability reaches its
    threshold. Gives the accepted candidates of the kept skills (their
    evidence) and of the extras, which the rules alone judge.
    """
    judged = describe(doc, candidates, own)
    confidence: dict[str, float] = {}
    if judged:
        confidence = dict(zip(judged, classifier.probabilities([features(d) for d in judged.values()]), strict=True))
    accepted = [
        c for c in candidates
        if not c.rejected and (c.mention.skill.id not in own or confidence[c.mention.skill.id] >= classifier.threshold)
    ]
    return accepted, confidence


def _word_at(starts: list[int], offset: int) -> int:
    """Index of the word that holds (or last starts before) ``offset``."""
    return max(0, bisect_right(starts, offset) - 1)
