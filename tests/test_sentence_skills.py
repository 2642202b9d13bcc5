"""The sentence model: its training data from the labellers' notes, the estimator, and how the extractor uses it."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from models import sentence_skills
from models.analysis import Analyzer
from models.sentence_skills import SentenceSkills, feature_text, load_training

ROOT = Path(__file__).resolve().parent.parent


def _script():
    spec = importlib.util.spec_from_file_location("make_sentence_data", ROOT / "scripts" / "make_sentence_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SKILLS = ("medical_billing", "insurance_verification", "customer_service", "hipaa")


def test_notes_give_each_labels_quotes_and_the_rejected_ones():
    notes = ("medical_billing: 'posting of payments, adjustments, and denials', 'Review and interpret EOBs'. "
             "hipaa (borderline): 'Maintain strict confidentiality'. Rejected: insurance_verification "
             "('coordination of benefits' is read for posting); customer_service ('a friendly team').")
    asked, refused = _script().quotes_by_skill(notes, SKILLS)
    assert asked == {"medical_billing": ["posting of payments, adjustments, and denials", "Review and interpret EOBs"],
                     "hipaa": ["Maintain strict confidentiality"]}
    assert refused == {"insurance_verification": ["coordination of benefits"], "customer_service": ["a friendly team"]}


def test_a_quoted_sentence_is_an_example_and_the_others_of_a_label_are_unknown():
    row = {"title": "Billing Associate", "labels": ["medical_billing"],
           "description": "Duties\n- Posts payments and works denials daily.\n- Answers the phone.\n"
                          "- Reviews coordination of benefits for each claim.",
           "notes": "medical_billing: 'Posts payments and works [...] denials daily'. "
                    "Rejected: insurance_verification ('Reviews coordination of benefits')."}
    rows = {r["text"]: r for r in _script().posting_rows(row, frozenset(SKILLS))}
    assert rows["Posts payments and works denials daily."]["yes"] == {"medical_billing"}
    assert rows["Answers the phone."]["unknown"] == {"medical_billing"}
    # Not labelled insurance_verification: every sentence is an example against it (none is unknown).
    assert not any("insurance_verification" in r["unknown"] for r in rows.values())
    assert "Billing Associate" in rows  # the title is read as a sentence too


def test_the_shipped_sentences_are_up_to_date():
    module = _script()
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in module.make_rows(module.labelled_files()))
    assert text == sentence_skills.SENTENCES.read_text(encoding="utf-8"), "run scripts/make_sentence_data.py"


def _toy() -> tuple[list[str], np.ndarray, list[str]]:
    X = ["posts payments and denials", "answers patient billing questions", "greets visitors", "orders supplies"] * 6
    Y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, -1], [0, 0, 0]] * 6)
    return X, Y, ["medical_billing", "customer_service", "front_desk"]


def test_the_estimator_learns_one_column_a_skill_with_enough_examples():
    X, Y, skills = _toy()
    model = SentenceSkills(min_df=1).fit(X, Y, skills)
    assert model.skills_ == ["medical_billing", "customer_service"]  # front_desk: no example of it
    p = model.predict_proba(["posts payments", "answers billing questions", "orders supplies"])
    assert p.shape == (3, 2)
    assert p[0, 0] > 0.5 > p[2, 0] and p[1, 1] > 0.5 > p[2, 1]
    assert clone(model).get_params() == {"C": 4.0, "min_df": 1, "min_examples": 5}


def test_unknown_rows_are_left_out_of_a_skills_fit():
    X, Y, skills = _toy()
    Y = Y.copy()
    Y[:, 1] = np.where(np.array(X) == "greets visitors", -1, Y[:, 1])
    a = SentenceSkills(min_df=1).fit(X, Y, skills)
    X2 = [x for x in X if x != "greets visitors"]
    b = SentenceSkills(min_df=1).fit(X2, Y[np.array(X) != "greets visitors"], skills)
    probe = ["answers billing questions"]
    assert a.predict_proba(probe)[0, 1] == pytest.approx(b.predict_proba(probe)[0, 1], abs=0.05)


def test_the_fitted_model_is_kept_on_disk_and_loaded_again(tmp_path, monkeypatch):
    X, Y, skills = _toy()
    training = tmp_path / "sentences.jsonl"
    names = ["medical_billing", "customer_service", "front_desk"]
    with training.open("w", encoding="utf-8") as f:
        for text, y in zip(X, Y, strict=True):
            f.write(json.dumps({"text": text, "section": "duties", "kind": "item",
                                "yes": [s for s, v in zip(names, y, strict=True) if v == 1],
                                "unknown": [s for s, v in zip(names, y, strict=True) if v == -1]}) + "\n")
    settings = tmp_path / "settings.toml"
    settings.write_text('skillset = "x"\n[model]\nC = 4.0\nmin_df = 1\nmin_examples = 5\n[use]\nadd = 0.9\n')
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = sentence_skills.fitted.__wrapped__(training, settings)
    kept = list((tmp_path / "cache" / "skillgap").glob("sentence-skills-*.joblib"))
    assert len(kept) == 1
    second = sentence_skills.fitted.__wrapped__(training, settings)
    assert second is not first and second.skills_ == first.skills_
    assert load_training(training)[2] == ["customer_service", "front_desk", "medical_billing"]
    assert feature_text("Posts payments.", "duties", "item") == "Posts payments. zsecduties zkinditem"


class _Fixed:
    """A stand-in sentence model: a fixed probability for one skill where a sentence holds a word."""

    def __init__(self, skill: str, word: str, p: float = 0.97) -> None:
        self.skills_ = [skill]
        self.word, self.p = word, p

    def predict_proba(self, X):
        return np.array([[self.p if self.word in x.lower() else 0.01] for x in X])


def _with_model(analyzer: Analyzer, model) -> Analyzer:
    extractor = analyzer.extractor
    clone_ = object.__new__(Analyzer)
    clone_.__dict__.update(analyzer.__dict__)
    ex = object.__new__(type(extractor))
    ex.__dict__.update(extractor.__dict__)
    ex.sentence_model = model
    ex.columns = {sid: j for j, sid in enumerate(model.skills_) if sid in ex.skills}
    ex.thresholds = {"add": 0.9}
    clone_.extractor = ex
    return clone_


@pytest.fixture(scope="module")
def rules() -> Analyzer:
    return Analyzer.for_skillset(use_sentences=False)


CLINIC = ("Patient Services Representative\nResponsibilities\n- Check in patients and schedule appointments in Epic.\n"
          "- Verify insurance eligibility before each visit.\n- Help patients sort out their bills.\n")


def test_a_sentence_the_model_reads_as_a_skill_adds_it_with_the_sentence_as_evidence(rules):
    assert "medical_billing" not in {s["id"] for s in rules.analyze(CLINIC)["skills"]}
    record = _with_model(rules, _Fixed("medical_billing", "sort out their bills")).analyze(CLINIC)
    billing = next(s for s in record["skills"] if s["id"] == "medical_billing")
    assert billing["evidence"][0]["text"] == "Help patients sort out their bills."
    assert billing["requirement"] == "required"  # a duty


@pytest.mark.parametrize("line", [
    "- Help patients sort out their bills; no medical billing experience is needed.",  # negated
    "- Help patients sort out their bills at the reception service to patients desk.",
])
def test_where_the_rules_have_spoken_the_model_adds_nothing(rules, line):
    text = CLINIC.replace("- Help patients sort out their bills.\n", line + "\n")
    skill = "medical_billing" if "billing" in line else "customer_service"
    model = _Fixed(skill, "sort out their bills")
    assert skill not in {s["id"] for s in _with_model(rules, model).analyze(text)["skills"]}


def test_the_model_adds_nothing_to_another_trades_posting(rules):
    warehouse = ("Warehouse Operative\nDuties\n- Load and unload delivery vans.\n- Keep the loading bay tidy.\n"
                 "- Follow the site's safety rules at all times.\n")
    model = _Fixed("medical_law_ethics", "safety rules")
    record = _with_model(rules, model).analyze(warehouse)
    assert record["fit"]["fits"] is False
    assert "medical_law_ethics" not in {s["id"] for s in record["skills"]}


def test_the_model_judges_only_the_skill_set_it_learned(rules):
    other = Analyzer.for_skillset("medical-office-manager", use_sentences=True)
    assert other.extractor.sentence_model is None
    assert Analyzer.for_skillset(use_sentences=True).extractor.sentence_model is not None
    assert Analyzer.for_skillset().extractor.sentence_model is None  # off unless asked for
