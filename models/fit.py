"""Occupation fit: is a posting one of the skill set's occupation at all?

A score against the medical-office skill set means something only for a
medical-office posting; a nurse's, a porter's or a data scientist's posting (or
"Hello") gets one too, so the record says first whether the posting fits.

``OccupationFit`` is a scikit-learn classifier over three views of a posting:
TF-IDF of its title's words, TF-IDF of the words of its text that are in the
reference vocabulary (the words each reference posting ships with), and the
skills found (skill-set skills and extras alike, weighted down: see
``skills_weight``); two columns more, the share of the title's words and of
the text's words that are the occupation's own (see ``domain_weight``); and the
trade columns: whether the title names clinical work or another trade
(``models/data/market/title-trades.toml``) and whether no healthcare word
stands in the posting at all (``models/data/trades.toml``; see ``trade_weight``).
It is fitted once per process on the reference postings of
``models/data/market/reference-postings.jsonl``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any, NamedTuple

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from models.text import phrase_stems, stem, tokenize
from models.toml import tomllib
from models.trades import Role, load_trades

WORD_RE = re.compile(r"[a-z]{3,}")
# The words of a title as the title view reads them (scikit-learn's token pattern): numbers
# and grade codes ("II", "2903") count among them.
TITLE_TOKEN_RE = re.compile(r"\b\w\w+\b")


class Sample(NamedTuple):
    """What the occupation fit and the similar-postings search see of a posting."""

    title: str
    words: frozenset[str]
    skills: Mapping[str, str]  # skill id -> requirement level


def words_of(text: str | None) -> frozenset[str]:
    """The distinct lower-case words (three letters or more) of a text."""
    return frozenset(WORD_RE.findall((text or "").lower()))


def sample_of(title: str | None, text: str | None, found: Iterable[Mapping[str, Any]]) -> Sample:
    """A live posting as a ``Sample``: its title, its text's words and the skills found."""
    skills = {str(s["id"]): str(s.get("requirement") or "unspecified") for s in found}
    return Sample(title or "", words_of(text), skills)


def occupation_words() -> frozenset[str]:
    """The words of the occupation's own skill sets' skill names and phrase aliases.

    From the skill sets that ``models/data/market/scoring.toml`` names for the
    occupation (not from labels): "billing", "scheduling", "records", "patients",
    "insurance" ...; stop words left out.
    """
    from models.scoring import scoring_settings
    from models.skillset import load_skillset

    words: set[str] = set()
    for skillset_id in scoring_settings()["occupation"]["skillsets"]:
        for skill in load_skillset(skillset_id).skills:
            words |= words_of(skill.name)
            for alias in skill.aliases:
                if not alias.pattern:
                    words |= words_of(alias.phrase)
    return frozenset(words - ENGLISH_STOP_WORDS)


TITLE_TRADES_FILE = "title-trades.toml"


def load_title_trades() -> dict[str, dict[str, frozenset[str]]]:
    """The kinds of work other than the medical office's, in the file's order
    (``models/data/market/title-trades.toml``): for each, the title words or phrases
    that name it (``words``) and those that name the occupation's own role beside it
    (``unless``: a "Medical Assistant / LPN" is not the clinical kind)."""
    text = (resources.files("models.data") / "market" / TITLE_TRADES_FILE).read_text(encoding="utf-8")
    kinds = {}
    for kind, table in tomllib.loads(text).items():
        table = table if isinstance(table, dict) else {}
        lists = {key: table.get(key, []) for key in ("words", "unless")}
        if not lists["words"] or set(table) - set(lists) or not all(
                isinstance(w, str) and w.strip() for words in lists.values() for w in words):
            raise ValueError(f"{TITLE_TRADES_FILE}: [{kind}] needs a list of words (and may have a list 'unless')")
        kinds[kind] = {key: frozenset(words) for key, words in lists.items()}
    return kinds


def _stems(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    """Each word or phrase as its stems in a row, as a title is matched."""
    return frozenset(phrase_stems(p) for p in phrases)


def _as_is(words: Iterable[str]) -> Iterable[str]:
    """The analyzer of the words view: a sample's words are already tokens."""
    return words


def tfidf_row(vectorizer: TfidfVectorizer, tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
    """The row ``vectorizer.transform`` gives one document's tokens: its columns and values.

    scikit-learn's checks cost milliseconds a call, more than the rest of an
    analysis; for one posting this works it out from the fitted vocabulary and
    idf directly (tests compare the two on every reference posting).
    """
    vocabulary = vectorizer.vocabulary_
    counts = Counter(vocabulary[t] for t in tokens if t in vocabulary)
    columns = np.fromiter(counts.keys(), np.intp, len(counts))
    tf = np.fromiter(counts.values(), float, len(counts))
    values = (1.0 + np.log(tf) if vectorizer.sublinear_tf else tf) * vectorizer.idf_[columns]
    norm = math.sqrt(float(values @ values))
    return columns, values / norm if norm else values


class OccupationFit(ClassifierMixin, BaseEstimator):
    """Logistic regression on a posting's title, words and skills.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    title_dropout : bool
        Also learn from every training posting with its title removed, since
        a pasted posting often has none.
    threshold : float
        The probability from which a posting fits.
    skills_weight : float
        The value of a skill found in the skills view. The TF-IDF rows of the
        title and the words have unit length, so a skill at 1.0 would count
        more than all the words together: clinical and other-trade postings
        name front-office skills too (scheduling, records), and their words
        and titles tell them apart better (measured in docs/scoring.md).
    domain_words : frozenset of str or None
        The occupation's own words; None: ``occupation_words()``, the words of
        its skill sets' skill names and aliases.
    domain_weight : float
        The value of the two domain columns at their fullest: the share of the
        title's words and of the text's words (those in the words view's
        vocabulary, as the reference postings ship them) that are domain words.
        A title or a text never seen still tells of patients, billing or
        records, where its words one by one weigh little (docs/scoring.md).
    domain_smoothing : float
        The text's share is drawn toward the training postings' mean share
        (``domain_share_``) as if by this many words more: a share over a short
        posting's few words says little (short other-trade postings of mostly
        office words fit otherwise).
    title_trades : mapping of str to mapping, or None
        Kinds of work other than the occupation's, each a table of the title words
        or phrases that name it (``words``) and of those that name the occupation's
        own role beside it (``unless``); None: ``load_title_trades()``. One column
        per kind, at ``trade_weight`` when the title holds one of its words and none
        of its ``unless`` (as stems, a phrase's
        in a row): the title view learns a title word only from the training
        postings that hold it, the column from all of the kind's.
    trade_weight : float
        The value of the trade columns when set: those of ``title_trades``, and
        one set when neither the text's words (those the words view knows) nor
        the title hold a healthcare word of ``models/data/trades.toml``. An
        office job in a law firm, a nursery or a county treasury is told apart
        by what is missing from it (docs/scoring.md).
    """

    def __init__(self, *, C: float = 4.0, title_dropout: bool = True, threshold: float = 0.5,
                 skills_weight: float = 0.3, domain_words: frozenset[str] | None = None,
                 domain_weight: float = 2.0, domain_smoothing: float = 20.0,
                 title_trades: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
                 trade_weight: float = 1.0) -> None:
        self.C = C
        self.title_dropout = title_dropout
        self.threshold = threshold
        self.skills_weight = skills_weight
        self.domain_words = domain_words
        self.domain_weight = domain_weight
        self.domain_smoothing = domain_smoothing
        self.title_trades = title_trades
        self.trade_weight = trade_weight

    def fit(self, X: Sequence[Sample], y: Sequence[Any]) -> OccupationFit:
        """Fit on samples and their labels (true: the posting is of the occupation)."""
        X, labels = list(X), np.asarray(y)
        if self.title_dropout:
            X = X + [s._replace(title="") for s in X]
            labels = np.concatenate([labels, labels])
        self.title_vectorizer_ = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1)
        self.words_vectorizer_ = TfidfVectorizer(analyzer=_as_is, sublinear_tf=True)
        self.skills_vectorizer_ = DictVectorizer()
        self.domain_words_ = occupation_words() if self.domain_words is None else frozenset(self.domain_words)
        self.title_vectorizer_.fit([s.title for s in X])
        self.words_vectorizer_.fit([s.words for s in X])
        self.skills_vectorizer_.fit([self._skills(s) for s in X])
        kinds = load_title_trades() if self.title_trades is None else self.title_trades
        # Each kind is read as the trades file reads a role: named by its words, unless by its ``unless``.
        self.title_trades_ = tuple(Role(kind, _stems(table.get("words", ())), _stems(table.get("unless", ())),
                                        skills=frozenset()) for kind, table in kinds.items())
        trades = load_trades()
        self.healthcare_title_ = trades.title_words
        self.healthcare_vocabulary_ = frozenset(
            w for w in self.words_vectorizer_.vocabulary_ if stem(w) in trades.healthcare)
        self.domain_share_ = float(np.mean([len(self.domain_words_ & s.words) / len(s.words)
                                            for s in X if s.words] or [0.0]))
        self.model_ = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
        self.model_.fit(self._features(X), labels)
        self.classes_ = self.model_.classes_
        return self

    def probability(self, sample: Sample) -> float:
        """``predict_proba(X)[0, 1]`` for one sample, from the fitted coefficients.

        The same sum as scikit-learn's (a test checks them on every reference
        posting) without its per-call checks, which cost more than the analysis.
        """
        coef = self.model_.coef_[0]
        words_at = len(self.title_vectorizer_.vocabulary_)
        skills_at = words_at + len(self.words_vectorizer_.vocabulary_)
        columns, values = tfidf_row(self.title_vectorizer_, self.title_vectorizer_.build_analyzer()(sample.title))
        decision = float(self.model_.intercept_[0]) + float(values @ coef[columns])
        columns, values = tfidf_row(self.words_vectorizer_, sample.words)
        decision += float(values @ coef[words_at + columns])
        skills = self.skills_vectorizer_.vocabulary_
        decision += self.skills_weight * sum(coef[skills_at + skills[i]] for i in sample.skills if i in skills)
        extra = self._domain(sample) + self._trades(sample)
        decision += float(np.dot(extra, coef[-len(extra):]))
        return float(expit(decision))

    def _skills(self, sample: Sample) -> dict[str, float]:
        return dict.fromkeys(sample.skills, self.skills_weight)

    def _domain(self, sample: Sample) -> tuple[float, float]:
        """The domain columns: the share of domain words in the title, and in the text's
        words that the words view knows (a live posting's are all its words)."""
        title = TITLE_TOKEN_RE.findall(sample.title.lower())
        known = sample.words & self.words_vectorizer_.vocabulary_.keys()
        in_words = ((len(self.domain_words_ & known) + self.domain_smoothing * self.domain_share_)
                    / (len(known) + self.domain_smoothing)) if known or self.domain_smoothing else 0.0
        return (self.domain_weight * sum(w in self.domain_words_ for w in title) / len(title) if title else 0.0,
                self.domain_weight * in_words)

    def _trades(self, sample: Sample) -> tuple[float, ...]:
        """The trade columns: one per kind of ``title_trades_`` that the title names, and
        one for a posting with words but no healthcare word, in the text or the title."""
        title = tuple(tokenize(sample.title).stems)
        healthcare = not (sample.words.isdisjoint(self.healthcare_vocabulary_)
                          and self.healthcare_title_.isdisjoint(title))
        no_healthcare = not (healthcare or sample.words.isdisjoint(self.words_vectorizer_.vocabulary_))
        return tuple(self.trade_weight * float(kind.of(title)) for kind in self.title_trades_) + (
            self.trade_weight * float(no_healthcare),)

    def _features(self, X: Sequence[Sample]) -> sparse.csr_matrix:
        return sparse.hstack([
            self.title_vectorizer_.transform([s.title for s in X]),
            self.words_vectorizer_.transform([s.words for s in X]),
            self.skills_vectorizer_.transform([self._skills(s) for s in X]),
            sparse.csr_matrix(np.array([self._domain(s) + self._trades(s) for s in X]).reshape(
                len(X), 3 + len(self.title_trades_))),
        ], format="csr")

    def predict_proba(self, X: Sequence[Sample]) -> np.ndarray:
        check_is_fitted(self, "model_")
        return self.model_.predict_proba(self._features(list(X)))

    def predict(self, X: Sequence[Sample]) -> np.ndarray:
        """True where the probability of the positive class reaches ``threshold``."""
        positive = list(self.classes_).index(True)
        return self.predict_proba(X)[:, positive] >= self.threshold
