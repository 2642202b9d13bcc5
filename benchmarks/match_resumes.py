"""Measure résumé matching on the written résumés of ``tests/fixtures/resumes``.

- what ``find_skills`` finds against the hand labels (``labels.json``): claims found,
  claims missed, skills counted that the résumé does not claim, negations honoured;
- that a résumé read from .txt, .pdf and .docx gives the same skills;
- each résumé's match with the example postings, and against the example batch
  (``examples/postings.csv``), with the skills that would open the most postings;
- CPU time per match (``time.process_time``; wall time on a shared machine says little).

Usage: python benchmarks/match_resumes.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from models.analysis import Analyzer  # noqa: E402
from models.inputs import iter_postings  # noqa: E402
from models.match import match_texts, rank_postings  # noqa: E402
from models.resume import find_skills, read_resume  # noqa: E402
from tests.test_resume_match import make_docx, make_pdf  # noqa: E402

RESUMES = ROOT / "tests" / "fixtures" / "resumes"
POSTINGS = {"billing-specialist": ROOT / "examples" / "billing-specialist.txt",
            "medical-secretary": ROOT / "examples" / "medical-secretary.html"}


def main() -> None:
    analyzer = Analyzer.for_skillset(None)
    labels = json.loads((RESUMES / "labels.json").read_text(encoding="utf-8"))
    found_total = missed_total = extra_total = negated_ok = negated_total = 0
    print("## Skills found in each résumé against its labels\n")
    print("| résumé | claims | found | missed | not claimed but counted | negations honoured |")
    print("|---|---|---|---|---|---|")
    texts = {}
    for name, label in labels.items():
        if name.startswith("_"):
            continue
        text = (RESUMES / name).read_text(encoding="utf-8")
        texts[name] = text
        got = find_skills(analyzer, text)
        ids = {s["id"] for s in got["skills"] + got["extras"]}
        claims = set(label["claims"])
        missed, wrong = claims - ids, ids - claims
        honoured = sum(1 for n in label["negated"] if n not in ids)
        found_total += len(claims & ids)
        missed_total += len(missed)
        extra_total += len(wrong)
        negated_ok += honoured
        negated_total += len(label["negated"])
        print(f"| {name} | {len(claims)} | {len(claims & ids)} | {', '.join(sorted(missed)) or '-'} | "
              f"{', '.join(sorted(wrong)) or '-'} | {honoured} of {len(label['negated'])} |")
        # The same résumé as PDF and Word.
        for kind, data in (("pdf", make_pdf(text.splitlines())), ("docx", make_docx(text.splitlines()))):
            other = find_skills(analyzer, read_resume(data, f"cv.{kind}"))
            other_ids = {s["id"] for s in other["skills"] + other["extras"]}
            if other_ids != ids:
                print(f"|   {kind} differs | | | {sorted(ids - other_ids)} | {sorted(other_ids - ids)} | |")
    claims_total = found_total + missed_total
    print(f"\nRecall {found_total}/{claims_total} = {found_total / claims_total:.0%}; "
          f"precision {found_total}/{found_total + extra_total} = {found_total / (found_total + extra_total):.0%}; "
          f"negations honoured {negated_ok}/{negated_total}.\n")

    print("## Match with the example postings\n")
    print("| résumé | " + " | ".join(POSTINGS) + " |")
    print("|---|" + "---|" * len(POSTINGS))
    cpu = []
    for name, text in texts.items():
        cells = []
        for path in POSTINGS.values():
            posting = path.read_text(encoding="utf-8")
            start = time.process_time()
            result = match_texts(analyzer, text, posting)
            cpu.append(time.process_time() - start)
            req = result["match_parts"]["levels"]["required"]
            cells.append(f"{result['match']} ({req['shown']}/{req['asked']} required, "
                         f"{len(result['missing'])} missing)")
        print(f"| {name} | " + " | ".join(cells) + " |")
    cpu.sort()
    print(f"\nCPU per match (résumé and posting analysed): median {cpu[len(cpu) // 2] * 1000:.0f} ms, "
          f"max {cpu[-1] * 1000:.0f} ms over {len(cpu)} matches.\n")

    print("## Against the example batch (examples/postings.csv)\n")
    with open(ROOT / "examples" / "postings.csv", "rb") as f:
        records = []
        for item in iter_postings(f, "postings.csv"):
            if hasattr(item, "text"):
                record = analyzer.analyze(item.text, title=item.title, company=item.company)
                record["row"] = item.row
                records.append(record)
    for name, text in texts.items():
        ranked = rank_postings(records, find_skills(analyzer, text))
        best = ranked["postings"][0]
        top = ", ".join(f"{s['id']} ({s['completes']}/{s['improves']})" for s in ranked["to_learn"][:3])
        print(f"- {name}: {ranked['ranked']} ranked, {ranked['full_matches']} full matches, best {best['match']}% "
              f"(row {best['row']}); to learn (completes/improves): {top}")


if __name__ == "__main__":
    main()
