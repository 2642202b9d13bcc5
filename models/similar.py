"""Postings like this one: the reference postings nearest to a posting.

A gap matters more when postings for the same kind of job ask for it: a billing
coordinator's posting is not short of front-desk work because receptionists'
postings ask for it. ``SimilarPostings`` finds the k reference postings nearest
to a posting by its title's words and the skills found (cosine similarity, each
view scaled to unit length so that both count), and says what share of them
ask for each skill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from models.fit import Sample


class SimilarPostings(BaseEstimator):
    """Nearest reference postings by title words and skills found.

    Parameters
    ----------
    n_neighbors : int
        How many similar postings a share is taken over.
    """

    def __init__(self, *, n_neighbors: int = 25) -> None:
        self.n_neighbors = n_neighbors

    def fit(self, X: Sequence[Sample], y: None = None) -> SimilarPostings:
        """Index the reference postings ``X``."""
        X = list(X)
        self.title_vectorizer_ = TfidfVectorizer(sublinear_tf=True)
        self.skills_vectorizer_ = DictVectorizer()
        self.title_vectorizer_.fit([s.title for s in X])
        self.skills_vectorizer_.fit([dict.fromkeys(s.skills, 1.0) for s in X])
        # Which skills each reference posting asks for, one column per skill id.
        self.asked_ = self.skills_vectorizer_.transform([dict.fromkeys(s.skills, 1.0) for s in X]).tocsr()
        self.skill_index_ = self.skills_vectorizer_.vocabulary_
        self.neighbors_ = NearestNeighbors(n_neighbors=min(self.n_neighbors, len(X)), metric="cosine",
                                           algorithm="brute").fit(self._features(X))
        return self

    def _features(self, X: Sequence[Sample]) -> sparse.csr_matrix:
        titles = normalize(self.title_vectorizer_.transform([s.title for s in X]))
        skills = normalize(self.skills_vectorizer_.transform([dict.fromkeys(s.skills, 1.0) for s in X]))
        return sparse.hstack([titles, skills], format="csr")

    def kneighbors(self, sample: Sample) -> np.ndarray:
        """Indices of the reference postings nearest to ``sample``, nearest first."""
        check_is_fitted(self, "neighbors_")
        return self.neighbors_.kneighbors(self._features([sample]), return_distance=False)[0]

    def asked_shares(self, sample: Sample, skill_ids: Iterable[str]) -> tuple[dict[str, float], int]:
        """The share of the postings nearest to ``sample`` asking for each skill, and how many were compared."""
        nearest = self.kneighbors(sample)
        counts = np.asarray(self.asked_[nearest].sum(axis=0)).ravel()
        shares = {}
        for skill_id in skill_ids:
            column = self.skill_index_.get(skill_id)
            shares[skill_id] = round(float(counts[column]) / len(nearest), 2) if column is not None else 0.0
        return shares, len(nearest)
