"""Which skills a sentence asks for, learned from the sentences the labellers quoted.

The aliases know the wordings someone wrote down; the labelled postings hold many
more. Each labelled posting's notes quote the words that decided each label, so
each quoted sentence is an example of its skill, and every sentence of a posting
not labelled with a skill is an example against it. ``SentenceSkills`` is one
logistic regression per skill over TF-IDF of a sentence's words and word pairs,
with its section and block kind as two more words.

The extractor (``models/extraction.py``) adds a skill no alias found when one
sentence of the posting reaches the ``add`` probability; the sentence is its
evidence. The threshold and the model's settings are in
``models/data/sentences/settings.toml``; the sentences are
``models/data/sentences/sentences.jsonl`` (made by ``scripts/make_sentence_data.py``).
See docs/sentence-skills.md.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from models.parsing import Block, Document
from models.sections import BOILERPLATE_SECTIONS
from models.text import Sentences
from models.toml import tomllib

DATA = Path(__file__).resolve().parent / "data"
SENTENCES = DATA / "sentences" / "sentences.jsonl"
SETTINGS = DATA / "sentences" / "settings.toml"


def feature_text(text: str, section: str, kind: str) -> str:
    """A sentence as the model reads it: its words, then its section and block kind as words."""
    return f"{text} zsec{section} zkind{kind}"


class SentenceSkills(BaseEstimator):
    """One logistic regression per skill over TF-IDF of sentences.

    ``fit(X, Y, skills)``: X the sentences (``feature_text``), Y an array of one
    column a skill, 1 for an example of it, 0 against it, -1 unknown (left out
    of that skill's fit). A skill with fewer than ``min_examples`` examples gets
    no model. ``predict_proba(X)`` gives one column per fitted skill
    (``skills_``).
    """

    def __init__(self, *, C: float = 4.0, min_df: int = 2, min_examples: int = 5) -> None:
        self.C = C
        self.min_df = min_df
        self.min_examples = min_examples

    def fit(self, X: Sequence[str], Y: np.ndarray, skills: Sequence[str]) -> SentenceSkills:
        Y = np.asarray(Y)
        self.vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), min_df=self.min_df, sublinear_tf=True)
        features = self.vectorizer_.fit_transform(X)
        fitted, coefs, intercepts = [], [], []
        for j, skill in enumerate(skills):
            known = np.flatnonzero(Y[:, j] >= 0)
            y = Y[known, j]
            if y.sum() < self.min_examples:
                continue
            model = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            model.fit(features[known], y)
            fitted.append(skill)
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        self.skills_ = fitted
        self.coef_ = np.array(coefs).T  # features x skills: one product scores every skill
        self.intercept_ = np.array(intercepts)
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        scores = self.vectorizer_.transform(X) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-scores))


def settings(path: Path = SETTINGS) -> dict[str, Any]:
    """The model's settings, the skill set it is for and its ``add`` threshold."""
    with path.open("rb") as f:
        return tomllib.load(f)


def load_training(path: Path = SENTENCES) -> tuple[list[str], np.ndarray, list[str]]:
    """The shipped sentences as (X, Y, skills) for ``SentenceSkills.fit``."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    skills = sorted({s for row in rows for s in row["yes"] + row["unknown"]})
    column = {s: j for j, s in enumerate(skills)}
    Y = np.zeros((len(rows), len(skills)), dtype=np.int8)
    for i, row in enumerate(rows):
        for s in row["unknown"]:
            Y[i, column[s]] = -1
        for s in row["yes"]:
            Y[i, column[s]] = 1
    return [feature_text(r["text"], r["section"], r["kind"]) for r in rows], Y, skills


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "skillgap"


@functools.lru_cache(maxsize=2)
def fitted(training: Path = SENTENCES, settings_path: Path = SETTINGS) -> SentenceSkills:
    """The model fitted on the shipped sentences: once per process, and kept on disk.

    Fitting takes about half a minute, so the fitted model is kept in the user's
    cache folder under a name made from the data, the settings and the
    scikit-learn version; a later process loads it in a fraction of a second.
    Where the folder cannot be written, every process fits its own.
    """
    params = settings(settings_path)["model"]
    digest = hashlib.sha256(training.read_bytes() + settings_path.read_bytes()
                            + sklearn.__version__.encode()).hexdigest()[:16]
    path = _cache_dir() / f"sentence-skills-{digest}.joblib"
    try:
        model: SentenceSkills = joblib.load(path)
        return model
    except Exception:  # absent, unreadable or from another version: fit again
        pass
    X, Y, skills = load_training(training)
    model = SentenceSkills(**params).fit(X, Y, skills)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        joblib.dump(model, partial)
        partial.replace(path)
    except OSError:
        pass
    return model


def posting_sentences(doc: Document, sentences: Sentences) -> list[tuple[int, int, Block]]:
    """The sentences the model reads: every one outside the boilerplate sections, with its block."""
    out: list[tuple[int, int, Block]] = []
    for block in doc.blocks:
        if block.section not in BOILERPLATE_SECTIONS:
            out.extend((a, b, block) for a, b in sentences.within(block.start, block.end)
                       if not doc.text[a:b].isspace() and a < b)
    return out


def read(doc: Document, spans: list[tuple[int, int, Block]]) -> list[str]:
    """The feature text of each sentence: its words (spaces folded), section and kind."""
    return [feature_text(" ".join(doc.text[a:b].split()), block.section, block.kind) for a, b, block in spans]
