"""The learned verdict over alias candidates: the estimator, its shipped data, the error classes it is for."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from models import verdicts
from models.analysis import Analyzer
from models.skillset import load_skillset
from models.verdicts import VerdictClassifier, load_training

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def learned() -> Analyzer:
    return Analyzer.for_skillset(use_verdicts=True)


@pytest.fixture(scope="module")
def rules() -> Analyzer:
    return Analyzer.for_skillset(use_verdicts=False)


def _toy() -> tuple[list[dict[str, float]], np.ndarray]:
    X = [{"rules": 1.0, "w=billing": 1.0}, {"rules": 1.0, "w=nurse": 1.0}] * 10 + [{"rules": 0.0}] * 4
    y = np.array([1, 0] * 10 + [0] * 4)
    return X, y


# -- the estimator -----------------------------------------------------------------

def test_estimator_follows_scikit_learn_conventions():
    # check_estimator's data checks feed arrays; this estimator takes feature dicts.
    # The checks that need no data apply as they are.
    name = VerdictClassifier.__name__
    check_parameters_default_constructible(name, VerdictClassifier())
    check_no_attributes_set_in_init(name, VerdictClassifier())
    check_get_params_invariance(name, VerdictClassifier())
    check_set_params(name, VerdictClassifier())


def test_estimator_fit_predict_and_clone():
    X, y = _toy()
    estimator = VerdictClassifier(C=1.0, threshold=0.5)
    with pytest.raises(NotFittedError):
        estimator.predict_proba(X)
    assert estimator.fit(X, y) is estimator
    assert list(estimator.classes_) == [0, 1]
    assert {"vectorizer_", "model_", "classes_"} <= set(vars(estimator))
    probs = estimator.predict_proba(X)
    assert probs.shape == (len(X), 2) and np.allclose(probs.sum(axis=1), 1)
    assert list(estimator.predict(X[:2])) == [1, 0]
    copy = clone(estimator)
    assert copy.get_params() == estimator.get_params() and not hasattr(copy, "model_")
    # The threshold decides: at 0 every row is positive, above 1 none is.
    assert estimator.set_params(threshold=0.0).predict(X).all()
    assert not estimator.set_params(threshold=1.01).predict(X).any()


def test_estimator_refuses_bad_input():
    X, y = _toy()
    with pytest.raises(ValueError, match="rows"):
        VerdictClassifier().fit(X, y[:-1])
    with pytest.raises(ValueError):
        VerdictClassifier().fit(X, np.ones(len(X), int))


def test_training_data_bad_line_names_file_and_line(tmp_path):
    path = tmp_path / "verdicts.jsonl"
    path.write_text('{"set": "a", "label": 1, "skill": "ehr"}\n{"skill": "ehr"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"verdicts\.jsonl:2"):
        load_training(path)


def test_fitted_once_per_process(learned):
    assert verdicts.fitted() is verdicts.fitted()
    assert learned.verdicts is verdicts.fitted()


def test_other_skill_sets_keep_the_rules():
    manager = load_skillset("medical-office-manager")
    assert Analyzer(manager).verdicts is None


# -- the shipped data -----------------------------------------------------------------

def _script():
    spec = importlib.util.spec_from_file_location("make_verdicts_data", ROOT / "scripts" / "make_verdicts_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_training_rows_are_what_the_script_makes():
    script = _script()
    analyzer = Analyzer(load_skillset(script.SKILLSET), use_verdicts=False)
    rows, _ = script.training_rows(analyzer, script.labelled_files())
    shipped = json.loads(verdicts.SETTINGS.read_text(encoding="utf-8"))
    jsonl, settings = script.render(rows, script.SKILLSET, shipped["threshold"])
    assert jsonl == verdicts.TRAINING.read_text(encoding="utf-8"), "run scripts/make_verdicts_data.py"
    assert settings == verdicts.SETTINGS.read_text(encoding="utf-8")
    # Descriptions only: no posting's text beyond the words around its mentions.
    assert all(set(row) == {"set", "label", *verdicts.DESCRIPTION_KEYS} for row in rows)


@pytest.mark.slow
def test_shipped_threshold_is_what_the_script_chooses():
    script = _script()
    analyzer = Analyzer(load_skillset(script.SKILLSET), use_verdicts=False)
    rows, unjudged = script.training_rows(analyzer, script.labelled_files())
    shipped = json.loads(verdicts.SETTINGS.read_text(encoding="utf-8"))
    assert script.choose_threshold(rows, unjudged) == shipped["threshold"]


# -- in the engine ----------------------------------------------------------------------

def test_records_keep_evidence_and_carry_confidence(learned):
    text = ("Medical Billing Specialist. Duties: submit claims to insurance companies, follow up on "
            "denials and post payments. Requirements: knowledge of CPT and ICD-10 coding.")
    record = learned.analyze(text, title="Medical Billing Specialist")
    assert {"medical_billing", "medical_coding"} <= {s["id"] for s in record["skills"]}
    for skill in record["skills"]:
        assert 0 <= skill["confidence"] <= 1
        assert skill["evidence"]
        for e in skill["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]


def test_the_rules_rejections_stand(learned):
    assert learned.analyze("No previous experience of SystmOne required.")["skills"] == []


# -- the error classes it is for, as small synthetic postings ------------------------------
# The fixtures hold few postings of these kinds, so the classifier ranks the wrong
# readings well below the right ones but vetoes only the clearest: its threshold keeps
# the rules' recall (scripts/make_verdicts_data.py).

NURSE = ("Registered Nurse", "Registered Nurse needed for our busy hospital ward. You will assess patients, "
         "administer medication and work with physicians. We accept most insurance plans. Must hold a "
         "current RN license and BLS.")
ACCESS = ("Patient Access Representative", "Patient Access Representative. Duties: register patients, verify "
          "insurance eligibility and benefits, obtain authorizations, collect copays and schedule appointments. "
          "Requirements: 1 year of experience in a medical office.")
BILLING = ("Medical Billing Specialist", "Medical Billing Specialist. Duties: submit claims to insurance "
           "companies, follow up on denials, post payments and verify insurance coverage. Requirements: "
           "knowledge of CPT and ICD-10 coding, 2 years of medical billing experience.")
POSTER = ("Payment Poster", "Payment Poster. Post insurance payments and patient copays from EOBs into the "
          "billing system, reconcile deposits, and work with the front desk on check-in collections. "
          "Requirements: 2 years of payment posting experience.")
DIRECTOR = ("Operations Director", "The Operations Director leads the business. Responsibilities: set strategy, "
            "manage budgets, manage the director's diary with the PA, and report to the board. Requirements: "
            "10 years of senior management experience.")
RECEPTION = ("Medical Receptionist", "Medical Receptionist for a busy GP practice. Duties: greet patients at the "
             "front desk, book appointments, answer the telephone and update patient records on SystmOne. "
             "Requirements: excellent customer service and communication skills.")


def _confidence(analyzer: Analyzer, posting: tuple[str, str], skill: str) -> float:
    title, text = posting
    found = {s["id"]: s for s in analyzer.analyze(text, title=title)["skills"]}
    return found[skill]["confidence"] if skill in found else 0.0


def _ids(analyzer: Analyzer, posting: tuple[str, str]) -> set[str]:
    title, text = posting
    return {s["id"] for s in analyzer.analyze(text, title=title)["skills"]}


@pytest.mark.parametrize(("wrong", "right", "skill"), [
    (POSTER, BILLING, "insurance_verification"),  # insurance payments posted vs coverage verified
    (POSTER, RECEPTION, "front_desk"),  # copays and check-in in the back office (a role: trades.toml)
    (DIRECTOR, RECEPTION, "scheduling"),  # a director's diary vs booking patients
])
def test_the_rules_tell_these_readings_apart_and_the_verdict_keeps_them(learned, rules, wrong, right, skill):
    assert skill not in _ids(rules, wrong) and skill not in _ids(learned, wrong)
    assert skill in _ids(rules, right) and skill in _ids(learned, right)


@pytest.mark.parametrize(("wrong", "right", "skill"), [
    (NURSE, ACCESS, "insurance_verification"),  # any mention of insurance vs verifying it
])
def test_wrong_readings_rank_below_right_ones(learned, rules, wrong, right, skill):
    # The rules accept both readings alike; the classifier tells them apart.
    for posting in (wrong, right):
        assert skill in {s["id"] for s in rules.analyze(posting[1], title=posting[0])["skills"]}
    low, high = _confidence(learned, wrong, skill), _confidence(learned, right, skill)
    assert low < 0.6 < 0.8 < high


def test_probabilities_agree_with_predict_proba():
    descriptions, _, _ = load_training()
    X = [verdicts.features(d) for d in descriptions[:300]]
    X.append({"a feature never seen": 1.0})
    classifier = verdicts.fitted()
    assert np.allclose(classifier.probabilities(X), classifier.predict_proba(X)[:, 1])
