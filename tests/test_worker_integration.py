"""End to end through a real Redis and a real worker process, with the real engine."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import pytest

from tests.conftest import wait_for

pytestmark = [pytest.mark.integration]

POSTINGS = Path(__file__).resolve().parents[2] / "shared" / "data" / "postings"


FIXTURE = Path(__file__).resolve().parent / "fixtures" / "devset_nhs.jsonl"


def real_postings(n: int) -> list[dict[str, str]]:
    """Return n real postings, each made unique so each is analysed.

    The shared data folder has 564 NHS adverts; without it (a user's clone) the
    dev set's NHS postings stand in.
    """
    path = POSTINGS / "nhs_jobs_2020_medical_office.jsonl"
    if not path.exists():
        path = FIXTURE
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            rows.append(json.loads(line))
            if len(rows) >= n:
                break
    tag = uuid.uuid4().hex[:8]
    out = []
    for i in range(n):
        src = rows[i % len(rows)]
        out.append({"id": f"{src['id']}-{i}", "title": src["title"], "company": src["company"],
                    "location": src.get("location", ""), "date_posted": src.get("date_posted", ""),
                    "description": f"{src['description']} (ref {tag}-{i})"})
    return out


def stored_report(url: str, batch_id: str) -> dict | None:
    from sqlalchemy import select

    from worker.db import session_scope
    from worker.storage import Batch

    with session_scope(url) as s:
        return s.scalar(select(Batch.report).where(Batch.id == batch_id))


def as_jsonl(rows: list[dict[str, str]]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


@pytest.fixture
def clean_redis(redis_url: str) -> str:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    return redis_url


@pytest.fixture
def stack(db_url: str, clean_redis: str, tmp_path: Path, real_engine, start_worker_process):
    """The web app in-process, and one worker process, on Redis and the test database."""
    from web import create_app

    settings = {"DATABASE_URL": db_url, "REDIS_URL": clean_redis,
                "INSTANCE_PATH": str(tmp_path / "instance"), "CHUNK_SIZE": 20}
    worker = start_worker_process(settings, concurrency=1)
    app = create_app({"TESTING": True, **settings})
    client = app.test_client()
    wait_for(lambda: client.get("/readyz").status_code == 200, timeout=60, interval=0.5)
    return app, client, worker


def test_single_and_batch_through_a_real_worker(stack) -> None:
    app, client, _ = stack
    text = ("Medical receptionist. You will book appointments on SystmOne, handle "
            f"telephone enquiries and keep patient records up to date. {uuid.uuid4().hex}")
    r = client.post("/api/v1/analyses", json={"text": text})
    assert r.status_code == 202
    # Long-polls until it is done. No bound on the machine's speed: the first posting
    # waits for a pool process to build the engine, 2 s on an idle machine, 15 s or
    # more on a loaded one; two minutes is far beyond either.
    body = wait_for(lambda: (b := client.get(r.headers["Location"] + "?wait=10").get_json())
                    ["status"] in ("done", "failed") and b, timeout=120, interval=0)
    assert body["status"] == "done", body
    assert body["result"]["skillset"]["id"] == "medical-office-specialist"
    assert body["result"]["skills"], "the engine found nothing in a clear posting"
    ev = body["result"]["skills"][0]["evidence"][0]
    assert body["result"]["text"][ev["start"]:ev["end"]] == ev["text"]
    # One request: with ``wait`` the answer to the submit is the result itself.
    r = client.post("/api/v1/analyses?wait=10", json={"text": text + " again"})
    assert r.status_code == 200, r.get_json()
    once = r.get_json()
    assert r.headers["Location"] == once["status_url"] == f"/api/v1/analyses/{once['id']}"
    assert once["status"] == "done" and once["result"]["text"].endswith(" again")
    assert client.get(once["status_url"]).get_json() == {k: v for k, v in once.items() if k != "status_url"}

    rows = real_postings(60)
    rows.append({"id": "empty", "title": "x", "company": "y", "location": "", "date_posted": "",
                 "description": ""})
    r = client.post("/api/v1/batches", data={"file": (io.BytesIO(as_jsonl(rows)), "b.jsonl")},
                    content_type="multipart/form-data")
    assert r.status_code == 202
    url = r.headers["Location"]
    final = wait_for(lambda: (b := client.get(url).get_json())["status"] == "done" and b,
                     timeout=90, interval=0.3)
    assert (final["total"], final["done"], final["failed"]) == (61, 60, 1)
    lines = client.get(f"{url}/results?format=jsonl").get_data(as_text=True).splitlines()
    assert len(lines) == 61
    assert json.loads(lines[0])["id"] == rows[0]["id"]
    # The worker that finished the batch builds and stores its report.
    stored = wait_for(lambda: stored_report(app.config["DATABASE_URL"], final["id"]), timeout=30)
    report = client.get(f"{url}/report").get_json()["report"]
    assert report == stored
    assert report["analysed"] == 60 and report["skills"]


def test_the_redis_transport_keeps_one_client_per_channel(redis_url: str) -> None:
    from kombu import Producer

    from worker.broker import Transport
    from worker.celery_app import create_celery

    app = create_celery({"REDIS_URL": redis_url, "INSTANCE_PATH": None})
    queue = f"skillgap-test-{uuid.uuid4().hex}"
    with app.connection_for_write() as conn:
        assert isinstance(conn.transport, Transport)
        channel = conn.default_channel
        first = channel._create_client()
        Producer(channel).publish({"n": 1}, routing_key=queue)
        assert channel._create_client() is first
        assert first.llen(queue) == 1
        first.delete(queue)


def test_a_batch_with_a_created_skill_set_through_a_real_worker(stack) -> None:
    """The worker, a process of its own, reads the created skill set from the database."""
    app, client, _ = stack
    example = Path(__file__).resolve().parent.parent / "examples" / "skillsets" / "pharmacy-technician.toml"
    r = client.post("/api/v1/skillsets", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(example.read_bytes()), "pharmacy-technician.toml")})
    assert r.status_code == 201, r.get_json()
    created = r.get_json()["id"]
    tag = uuid.uuid4().hex
    rows = [{"id": str(i), "title": "Pharmacy Technician", "description":
             f"Dispense prescriptions, including controlled drugs, on our PMR system. Manage stock control "
             f"and keep the rota in Excel spreadsheets. {tag}-{i}"} for i in range(5)]
    r = client.post("/api/v1/batches", content_type="multipart/form-data",
                    data={"file": (io.BytesIO(as_jsonl(rows)), "pharmacy.jsonl"), "skillset": created})
    assert r.status_code == 202, r.get_json()
    url = r.headers["Location"]
    final = wait_for(lambda: (b := client.get(url).get_json())["status"] in ("done", "failed") and b,
                     timeout=120, interval=0.3)
    assert (final["done"], final["failed"]) == (5, 0), final
    assert final["skillset"]["id"] == created
    first = json.loads(client.get(f"{url}/results?format=jsonl").get_data(as_text=True).splitlines()[0])
    assert first["skillset"] == {"id": created, "version": "1"}
    assert {"dispensing", "controlled_drugs", "pharmacy_systems"} <= {s["id"] for s in first["skills"]}
    # The extras are the general catalogue's, not the medical office's.
    assert "spreadsheets" in {e["id"] for e in first["extras"]}
