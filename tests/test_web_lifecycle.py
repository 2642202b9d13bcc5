"""Cancel with confirmation, resume, the list of what a browser started, and a batch row's
page with its posting and neighbours; through Flask's test client, chunks in-process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import drain, make_app
from tests.test_web_pages import CSV, TOKEN_RE, html, start, submit_text, token, upload


@pytest.fixture
def app(sqlite_url: str, tmp_path: Path, fake_analyzer):
    return make_app(sqlite_url, tmp_path, PASTE_WAIT_SECONDS=0)


def new_batch(client) -> str:
    r = start(client, upload(client, CSV).headers["Location"])
    return str(r.headers["Location"].rsplit("/", 1)[1])


def test_cancel_asks_first_then_counts_every_row_and_resume_finishes(app, client) -> None:
    batch_id = new_batch(client)
    base = f"/batches/{batch_id}"
    progress = html(client.get(base))
    # The progress page links to a confirmation page; it has no form that cancels at once.
    assert f'href="{base}/cancel"' in progress and f'action="{base}/cancel"' not in progress
    # A POST without the confirmation cancels nothing and goes to the question.
    r = client.post(f"{base}/cancel", data={"csrf_token": token(client, base)})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"{base}/cancel")
    assert client.get(f"{base}/progress.json").get_json()["status"] == "queued"
    question = html(client.get(f"{base}/cancel"))
    assert "Cancel jobs.csv?" in question and 'name="confirm" value="yes"' in question
    assert "1 of 5 postings are analysed so far" in question
    assert "<strong>4</strong> will not be analysed" in question

    r = client.post(f"{base}/cancel", data={"csrf_token": TOKEN_RE.search(question).group(1),  # type: ignore[union-attr]
                                            "confirm": "yes"})
    assert r.status_code == 303
    p = client.get(f"{base}/progress.json").get_json()
    assert (p["status"], p["done"], p["failed"], p["cancelled"], p["total"]) == (
        "cancelled", 0, 1, 4, 5)
    api = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert api["done"] + api["failed"] + api["cancelled"] == api["total"] == 5
    page = html(client.get(base))
    assert "1 failed, 4 not analysed" in page and f'action="{base}/resume"' in page

    report = html(client.get(f"{base}/report"))
    assert 'id="cancelled-banner"' in report
    assert "4 of 5 postings were not analysed" in report
    assert "None: every row was read and analysed." not in report
    assert "Rows not analysed" in report and "reached rows\n  1–3, 5." in report
    row = html(client.get(f"{base}/rows/1"))
    assert "This row was not analysed" in row and "has not been analysed yet" not in row
    assert f'action="{base}/resume"' in row
    csv_text = client.get(f"/api/v1/batches/{batch_id}/results?format=csv").get_data(as_text=True)
    assert csv_text.count("not analysed: the batch was cancelled") == 4

    r = client.post(f"{base}/resume", data={"csrf_token": token(client, base)})
    assert r.status_code == 303
    p = client.get(f"{base}/progress.json").get_json()
    assert (p["status"], p["cancelled"]) == ("queued", 0)
    drain(app, batch_id)
    p = client.get(f"{base}/progress.json").get_json()
    assert (p["status"], p["done"], p["failed"], p["cancelled"]) == ("done", 4, 1, 0)
    assert 'id="cancelled-banner"' not in html(client.get(f"{base}/report"))


def test_a_batch_row_shows_its_posting_highlighted_and_its_neighbours(app, client) -> None:
    batch_id = new_batch(client)
    drain(app, batch_id)
    first = html(client.get(f"/batches/{batch_id}/rows/1"))
    assert 'id="row-prev"' not in first
    assert f'<a rel="next" id="row-next" href="/batches/{batch_id}/rows/2">' in first
    # The posting's text, its evidence marked where the analysis found it.
    assert "The posting, with its evidence highlighted" in first
    assert re.search(r'<mark class="skill" id="ev-scheduling-0" title="Scheduling">scheduling</mark>',
                     first)
    assert '<mark class="skill" id="ev-epic-0" title="Epic">Epic</mark>' in first
    middle = html(client.get(f"/batches/{batch_id}/rows/3"))
    assert f'href="/batches/{batch_id}/rows/2"' in middle and f'href="/batches/{batch_id}/rows/4"' in middle
    last = html(client.get(f"/batches/{batch_id}/rows/5"))
    assert 'id="row-next"' not in last and 'id="row-prev"' in last
    # A failed row has no text to show.
    assert "evidence highlighted" not in html(client.get(f"/batches/{batch_id}/rows/4"))


def test_history_lists_what_this_browser_started_and_only_that(app, client) -> None:
    assert "Nothing yet." in html(client.get("/history"))
    batch_id = new_batch(client)
    r = submit_text(client, "Receptionist: scheduling with Epic")
    analysis_id = r.headers["Location"].rsplit("/", 1)[1]
    drain(app, analysis_id)
    page = html(client.get("/history"))
    assert page.index(f'href="/analyses/{analysis_id}"') < page.index(f'href="/batches/{batch_id}"')
    assert "jobs.csv" in page and "0 analysed, 1 failed of 5" in page
    assert ">Receptionist: scheduling with Epic</a>" in page  # a pasted posting's first line
    # Another browser (another cookie) sees nothing of it.
    other = app.test_client()
    assert "Nothing yet." in html(other.get("/history"))
    # Forgetting empties the list; the batch is still at its address.
    client.post("/history/forget", data={"csrf_token": token(client, "/history")})
    assert "Nothing yet." in html(client.get("/history"))
    assert client.get(f"/batches/{batch_id}").status_code == 200


def test_the_api_lists_nobodys_batches(client) -> None:
    assert client.get("/api/v1/batches").status_code in (404, 405)
    spec = client.get("/api/v1/openapi.yaml").get_data(as_text=True)
    assert "no endpoint lists batches or analyses" in spec
