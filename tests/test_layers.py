"""The web reads what the workers store only through worker/ functions: no SQL in web/."""

from __future__ import annotations

import re
from pathlib import Path

WEB = Path(__file__).resolve().parent.parent / "web"
# A query, a session or a connection of the database, built in web/.
SQL = re.compile(r"\bselect\(|\bsession_scope\b|\bget_autocommit\b|\bget_engine\b|\bsqlalchemy\b(?!\.(exc|engine)\b)")


def sql_in(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if SQL.search(line)]


def test_web_holds_no_queries() -> None:
    found = {str(p.relative_to(WEB)): lines for p in sorted(WEB.rglob("*.py")) if (lines := sql_in(p.read_text()))}
    assert found == {}, "read the database through worker/ (worker/results.py, rows.py, batches.py)"


def test_the_check_sees_a_query() -> None:
    assert sql_in("from sqlalchemy import select\n    rows = session.execute(select(Batch))")
    assert sql_in("    with session_scope(url) as session:")
    assert not sql_in("from sqlalchemy.exc import OperationalError\nbatch = batches.get_batch(url, batch_id)")


def test_showing_a_record_does_not_load_the_engines_estimators() -> None:
    """Pages, the API and exports fill a record in from its skill set and the reference
    markets (models/record.py) without importing scikit-learn, as the web app never did."""
    import subprocess
    import sys

    code = ("import sys, web.api, web.pages, worker.export, worker.report, models.record; "
            "print(sorted(m for m in ('sklearn', 'models.market', 'models.fit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=WEB.parent)
    assert out.stdout.strip() == "[]", out.stdout
