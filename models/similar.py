"""Postings like this one: the reference postings nearest to a posting.

A gap matters more when postings for the same kind of job ask for it: a billing
coordinator's posting is not short of front-desk work because receptionists'
postings ask for it. ``SimilarPostings`` finds the k reference postings nearest
to a posting by its title's words and the skills found (cosine similarity, each
view scaled to unit length so that both count; a skill few postings ask for
weighs more, as a word does in TF-IDF), and says what share of those close
enough ask for each skill.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize

from models.fit import Sample, tfidf_row


class SimilarPostings(BaseEstimator):
    """Nearest reference postings by title words and skills found.

    Parameters
    ----------
    n_neighbors : int
        How many similar postings a share is taken over.
    min_similarity : float
        Of those, postings less similar than this (cosine similarity) are left
        out: where the reference holds few postings of a kind (US billing),
        the rest of the k nearest are other jobs.
    min_neighbors : int
        But at least this many are compared.
    title_weight : float
        How much the title counts beside the skills found (1: as much).
    """

    def __init__(self, *, n_neighbors: int = 25, min_similarity: float = 0.2, min_neighbors: int = 5,
                 title_weight: float = 1.0) -> None:
        self.n_neighbors = n_neighbors
        self.min_similarity = min_similarity
        self.min_neighbors = min_neighbors
        self.title_weight = title_weight

    def fit(self, X: Sequence[Sample], y: None = None) -> SimilarPostings:
        """Index the reference postings ``X``."""
        X = list(X)
        self.title_vectorizer_ = TfidfVectorizer(sublinear_tf=True)
        self.skills_vectorizer_ = DictVectorizer()
        self.title_vectorizer_.fit([s.title for s in X])
        self.skills_vectorizer_.fit([dict.fromkeys(s.skills, 1.0) for s in X])
        # Which skills each reference posting asks for, one column per skill id.
        self.asked_ = self.skills_vectorizer_.transform([dict.fromkeys(s.skills, 1.0) for s in X]).toarray()
        # A skill few postings ask for says more about the kind of job than one most ask for.
        n = len(X)
        self.skill_idf_ = np.log((1 + n) / (1 + self.asked_.sum(axis=0))) + 1
        self.skill_index_ = self.skills_vectorizer_.vocabulary_
        self.features_ = self._features(X)
        self.neighbors_ = NearestNeighbors(n_neighbors=min(self.n_neighbors, len(X)), metric="cosine",
                                           algorithm="brute").fit(self.features_)
        # Dense, one row per feature, so that a query's few features are picked out cheaply.
        self.by_feature_ = self.features_.T.toarray()
        self.norms_ = np.linalg.norm(self.by_feature_, axis=0)
        return self

    def _features(self, X: Sequence[Sample]) -> sparse.csr_matrix:
        titles = self.title_weight * normalize(self.title_vectorizer_.transform([s.title for s in X]))
        skills = normalize(self.skills_vectorizer_.transform([dict.fromkeys(s.skills, 1.0) for s in X])
                           @ sparse.diags(self.skill_idf_))
        return sparse.hstack([titles, skills], format="csr")

    def distances(self, sample: Sample) -> np.ndarray:
        """The cosine distance of ``sample`` to every reference posting.

        What ``neighbors_.kneighbors`` computes, without scikit-learn's per-call
        checks (milliseconds, more than the rest of an analysis); tests compare
        the two on every reference posting.
        """
        columns, values = tfidf_row(self.title_vectorizer_, self.title_vectorizer_.build_analyzer()(sample.title))
        skills = np.fromiter((self.skill_index_[i] for i in sample.skills if i in self.skill_index_), np.intp)
        if len(skills):
            weights = self.skill_idf_[skills]
            columns = np.concatenate([columns, len(self.title_vectorizer_.vocabulary_) + skills])
            values = np.concatenate([self.title_weight * values, weights / math.sqrt(float(weights @ weights))])
        else:
            values = self.title_weight * values
        norm = math.sqrt(float(values @ values))
        if not norm:
            return np.ones(len(self.norms_))
        return 1.0 - (values @ self.by_feature_[columns]) / (self.norms_ * norm)

    def kneighbors(self, sample: Sample) -> np.ndarray:
        """Indices of the ``n_neighbors`` reference postings nearest to ``sample``, nearest first
        (ties in reference order)."""
        return self._nearest(self.distances(sample))

    def _nearest(self, distances: np.ndarray) -> np.ndarray:
        """The ``n_neighbors`` nearest, nearest first, ties in reference order."""
        return np.lexsort((np.arange(len(distances)), distances))[: self.neighbors_.n_neighbors]

    def similar(self, sample: Sample) -> np.ndarray:
        """The postings compared with ``sample``: its nearest, less those sharing little with it."""
        distances = self.distances(sample)
        nearest = self._nearest(distances)
        close = nearest[1.0 - distances[nearest] >= self.min_similarity]
        return close if len(close) >= self.min_neighbors else nearest[: self.min_neighbors]

    def asked_shares(self, sample: Sample, skill_ids: Iterable[str]) -> tuple[dict[str, float], int]:
        """The share of the postings nearest to ``sample`` asking for each skill, and how many were compared."""
        nearest = self.similar(sample)
        asked = np.round(self.asked_[nearest].sum(axis=0) / len(nearest), 2).tolist()
        index = self.skill_index_
        return {i: asked[index[i]] if i in index else 0.0 for i in skill_ids}, len(nearest)
