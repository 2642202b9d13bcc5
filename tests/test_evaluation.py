"""The evaluation code on small synthetic postings: per-set scores, requirement levels, set discovery."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from models.evaluation import LabelledPosting, evaluate, labelled_sets, load_devset


class FakeAnalyzer:
    """Finds, in each posting, the skills given for its text, with the given requirement levels."""

    def __init__(self, found: dict[str, dict[str, str]]):
        self.found = found
        self.titles: list[str | None] = []
        self.skillset = SimpleNamespace(skills=[SimpleNamespace(id="ehr", medical=True),
                                                SimpleNamespace(id="customer_service", medical=False)])

    def analyze(self, text: str, id: str | None = None, title: str | None = None) -> dict:
        self.titles.append(title)
        return {"skills": [{"id": sid, "requirement": level} for sid, level in self.found[text].items()]}


def posting(pid: str, set_: str, text: str, levels: dict[str, str], title: str | None = None) -> LabelledPosting:
    return LabelledPosting(pid, set_, text, frozenset(levels), title, "pages", dict(levels))


def test_scores_relevant_and_control_postings_apart():
    analyzer = FakeAnalyzer({
        "a": {"ehr": "required", "scheduling": "required"},    # 2 tp
        "b": {"front_desk": "preferred"},                       # 1 fp, 1 fn
        "c": {"ehr": "unspecified", "customer_service": "required"},  # control: 1 fp (ehr), 1 tp
    })
    items = [
        posting("r1", "relevant", "a", {"ehr": "required", "scheduling": "required"}),
        posting("r2", "relevant", "b", {"hipaa": "required"}),
        posting("c1", "control", "c", {"customer_service": "required"}),
    ]
    s = evaluate(analyzer, items)
    assert (s.tp, s.fp, s.fn) == (3, 2, 1)
    assert s.by_set["relevant"] == Counter(tp=2, fp=1, fn=1)
    assert s.by_set["control"] == Counter(tp=1, fp=1)
    assert s.set_precision("relevant") == pytest.approx(2 / 3)
    assert s.set_recall("relevant") == pytest.approx(2 / 3)
    assert s.set_precision("control") == pytest.approx(1 / 2)
    assert s.set_recall("control") == 1.0
    assert s.control_medical == Counter({"ehr": 1})


def test_requirement_level_counts_unspecified_as_wrong():
    analyzer = FakeAnalyzer({"a": {"ehr": "required", "scheduling": "unspecified",
                                   "hipaa": "required", "typing": "preferred", "crm": "preferred"}})
    items = [posting("r1", "relevant", "a", {"ehr": "required", "scheduling": "required",
                                              "hipaa": "preferred", "typing": "preferred"})]
    s = evaluate(analyzer, items)
    # crm is a false positive and has no label level; the four found labels are checked.
    assert s.level_checked == 4
    assert s.level_right == 2  # ehr required/required, typing preferred/preferred
    assert s.level_accuracy == pytest.approx(0.5)
    assert s.levels[("required", "unspecified")] == 1
    assert s.levels[("preferred", "required")] == 1


def test_labels_without_a_level_are_not_level_checked():
    analyzer = FakeAnalyzer({"a": {"ehr": "required"}})
    item = LabelledPosting("r1", "relevant", "a", frozenset({"ehr"}))
    s = evaluate(analyzer, [item])
    assert s.tp == 1 and s.level_checked == 0 and s.level_accuracy == 1.0


def test_title_goes_in_except_for_saved_pages():
    analyzer = FakeAnalyzer({"a": {}})
    items = [posting("r1", "relevant", "a", {}, title="Medical Receptionist"),
             LabelledPosting("p.html", "relevant", "a", frozenset(), "Saved", "pages", saved_page=True)]
    evaluate(analyzer, items)
    assert analyzer.titles == ["Medical Receptionist", None]


def write_rows(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_load_reads_levels_and_refuses_unlabelled_rows(tmp_path):
    row = {"id": "us-1", "set": "relevant", "title": "T", "description": "text", "source": "pages",
           "labels": ["ehr", "typing"], "levels": {"ehr": "required", "typing": "preferred"}}
    write_rows(tmp_path / "s" / "s.jsonl", [row])
    [item] = load_devset(tmp_path / "s", None, "*.jsonl")
    assert item.levels == {"ehr": "required", "typing": "preferred"} and not item.saved_page

    write_rows(tmp_path / "u" / "u.jsonl", [row, {k: v for k, v in row.items() if k not in ("labels", "levels")}])
    with pytest.raises(ValueError, match=r"u\.jsonl:2: posting 'us-1' has no labels"):
        load_devset(tmp_path / "u", None, "*.jsonl")

    write_rows(tmp_path / "b" / "b.jsonl", [{**row, "levels": {"hipaa": "required"}}])
    with pytest.raises(ValueError, match="levels that fit no label"):
        load_devset(tmp_path / "b", None, "*.jsonl")


def test_labelled_sets_are_every_folder_with_jsonl(tmp_path):
    for name in ("holdout10", "holdout", "holdout2", "us_test", "us_dev"):
        write_rows(tmp_path / name / f"{name}.jsonl", [])
    (tmp_path / "empty").mkdir()
    (tmp_path / "devset_us.jsonl").write_text("", encoding="utf-8")
    assert labelled_sets(tmp_path) == ["holdout", "holdout2", "holdout10", "us_dev", "us_test"]


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def test_the_us_and_newest_uk_sets_are_offered_and_fully_labelled():
    names = ("us_test", "us_dev", "us_test2", "us_dev2", "us_test3", "us_dev3", "us_dev4", "us_test4", "us_dev5",
             "us_test5", "us_dev6", "us_test6", "us_dev7", "us_test7", "us_dev8", "us_test8", "us_dev9", "us_test9",
             "us_dev10", "us_test10", "us_dev11", "us_test11", "us_dev12", "us_test12", "us_dev13",
             "us_test13", "us_dev14", "us_test14", "us_dev15", "uk_test5", "uk_dev5",
             "us_test15", "us_dev16", "us_test16", "us_dev17", "us_test17", "us_dev18", "uk_test6", "uk_dev6",
             "us_test18", "us_dev19", "us_test19", "us_dev20", "us_test20", "us_dev21", "uk_test7", "uk_dev7",
             "us_test21", "us_dev22", "uk_test8", "uk_dev8", "us_test22", "us_dev23",
             "uk_test9", "uk_dev9", "us_test23", "us_dev24",
             "uk_test10", "uk_dev10", "us_test24", "us_dev25", "uk_test11", "uk_dev11", "us_test25", "us_dev26",
             "uk_test12", "uk_dev12", "us_test26", "us_dev27", "uk_test13", "uk_dev13",
             "us_test27", "us_dev28", "uk_test14", "uk_dev14", "us_test28", "us_dev29",
             "uk_test15", "uk_dev15", "us_test29", "us_dev30",
             "us_test30", "us_dev31", "uk_test16", "uk_dev16",
             "us_test31", "us_dev32")
    # Thirteen sets hold other trades' postings only.
    controls_only = {"us_test11", "us_dev12", "us_test19", "us_dev20", "us_test20", "us_test21", "us_test24",
                     "uk_test10", "uk_test11", "uk_dev11", "us_test27", "uk_test14", "uk_dev14"}
    assert set(names) <= set(labelled_sets(FIXTURES))
    for name in names:
        items = load_devset(FIXTURES / name, None, "*.jsonl")
        assert len(items) >= 2  # the smallest, us_test24, holds 2
        assert {i.set for i in items} == ({"control"} if name in controls_only else {"relevant", "control"})
        assert all(set(i.levels) == i.labels for i in items)


@pytest.mark.parametrize("name", ["us_test", "us_test2", "us_test3", "us_test4", "us_test5", "us_test6",
                                  "us_test7", "us_test8", "us_test9", "us_test10", "us_test11",
                                  "us_test12", "us_test13", "us_test14", "uk_test5",
                                  "us_test15", "us_test16", "us_test17", "uk_test6",
                                  "us_test18", "us_test19", "us_test20", "uk_test7", "us_test21",
                                  "uk_test8", "us_test22", "uk_test9", "us_test23",
                                  "uk_test10", "us_test24", "uk_test11", "us_test25",
                                  "uk_test12", "us_test26", "uk_test13", "us_test27", "uk_test14", "us_test28",
                                  "uk_test15", "us_test29", "us_test30",
                                  "uk_test16", "us_test31"])
def test_the_test_sets_splits_reproduce(name):
    """Each test set's split.py re-runs its seeded draw and finds the committed test and dev ids."""
    done = subprocess.run([sys.executable, str(FIXTURES / name / "split.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_us_posting_is_collected_twice():
    rows = [json.loads(line) for raw in sorted(FIXTURES.glob("us_raw*.jsonl"))
            for line in raw.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) > 150
    assert len({r["id"] for r in rows}) == len({r["url"] for r in rows}) == len(rows)


def test_the_uk_test3_set_is_offered_fully_labelled_and_reproduces_its_draw():
    """uk_test3 (fresh NHS adverts) is offered, every advert is labelled with levels, and draw.py --check passes."""
    assert "uk_test3" in labelled_sets(FIXTURES)
    items = load_devset(FIXTURES / "uk_test3", None, "*.jsonl")
    assert len(items) == 40
    assert {i.set for i in items} == {"relevant", "control"}
    assert all(set(i.levels) == i.labels for i in items)
    done = subprocess.run([sys.executable, str(FIXTURES / "uk_test3" / "draw.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = [json.loads(line) for line in (FIXTURES / "uk_raw3.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    assert len({r["id"] for r in rows}) == len({r["url"] for r in rows}) == len(rows)


def test_the_uk_test4_and_uk_dev4_sets_are_offered_fully_labelled_and_reproduce_their_split():
    """uk_test4 holds fresh adverts only; uk_dev4 the rest plus uk_raw3's unused ones; split.py --check passes."""
    assert {"uk_test4", "uk_dev4"} <= set(labelled_sets(FIXTURES))
    test = load_devset(FIXTURES / "uk_test4", None, "*.jsonl")
    dev = load_devset(FIXTURES / "uk_dev4", None, "*.jsonl")
    assert (len(test), len(dev)) == (30, 30)
    for items in (test, dev):
        assert {i.set for i in items} == {"relevant", "control"}
        assert all(set(i.levels) == i.labels for i in items)
    done = subprocess.run([sys.executable, str(FIXTURES / "uk_test4" / "split.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    fresh = [json.loads(line) for line in (FIXTURES / "uk_raw4.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    old = [json.loads(line) for line in (FIXTURES / "uk_raw3.jsonl").read_text(encoding="utf-8").splitlines()
           if line.strip()]
    assert len({r["id"] for r in fresh}) == len({r["url"] for r in fresh}) == len(fresh)
    assert not {r["url"] for r in fresh} & {r["url"] for r in old}
    assert {i.id for i in test} <= {r["id"] for r in fresh}
