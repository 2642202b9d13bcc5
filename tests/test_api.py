"""The JSON API, in-process with a stand-in engine; chunks are run by the test."""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path

import pytest
import yaml

from tests.conftest import drain, make_app
from web import create_app


@pytest.fixture
def app(db_url: str, tmp_path: Path, fake_analyzer):
    return make_app(db_url, tmp_path)


def upload(client, content: bytes, name: str = "jobs.csv", **form):
    data = {"file": (io.BytesIO(content), name), **form}
    return client.post("/api/v1/batches", data=data, content_type="multipart/form-data")


def test_factory_reads_prefixed_env(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SKILLGAP_CHUNK_SIZE", "77")
    monkeypatch.setenv("SKILLGAP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u@h/db")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    app = create_app({"TESTING": True})
    assert app.config["CHUNK_SIZE"] == 77
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"
    assert app.config["BROKER_URL"] == "redis://127.0.0.1:1/0"
    assert app.config["MAX_CONTENT_LENGTH"] == 50 * 1024 * 1024
    celery = app.extensions["celery"]
    assert celery.conf.task_acks_late and celery.conf.task_reject_on_worker_lost
    assert celery.conf.worker_prefetch_multiplier == 1
    assert celery.conf.accept_content == ["json"]
    # A worker killed while scanning for lost tasks must not block the scans for
    # kombu's default 300 s: its lock expires within 20 s (RESTORE_INTERVAL 10).
    assert celery.conf.broker_transport_options["unacked_mutex_expire"] == 20


def test_factory_embedded_default(monkeypatch, tmp_path: Path) -> None:
    for var in ("DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    app = create_app({"TESTING": True})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path}/instance/skillgap.sqlite3"
    assert app.config["BROKER_URL"] == "filesystem://localhost/"
    opts = app.extensions["celery"].conf.broker_transport_options
    assert opts["data_folder_in"] == opts["data_folder_out"] == f"{tmp_path}/instance/broker/queue"


def test_single_analysis_flow(app, client) -> None:
    text = f"Front desk: scheduling and Epic {uuid.uuid4().hex}"
    r = client.post("/api/v1/analyses", json={"text": text, "title": "Receptionist"})
    assert r.status_code == 202
    body = r.get_json()
    assert r.headers["Location"] == body["status_url"] == f"/api/v1/analyses/{body['id']}"
    queued = client.get(body["status_url"]).get_json()
    assert queued == {"id": body["id"], "status": "queued", "result": None}
    drain(app, body["id"])
    done = client.get(body["status_url"] + "?wait=2").get_json()
    assert done["status"] == "done"
    result = done["result"]
    # The text the evidence points into: the engine puts the title first.
    assert result["title"] == "Receptionist" and result["text"] == f"Receptionist\n{text}"
    assert {s["id"] for s in result["skills"]} == {"scheduling", "epic"}
    assert result["error"] is None


def test_a_record_is_answered_and_exported_filled_in_from_its_skill_set(app, client, fake_analyzer) -> None:
    """What a record leaves to its skill set and the market (``models.record``) is in the answer."""
    from models.references import market_references
    from models.scoring import coverage_totals, requirement_weights
    from models.skillset import load_skillset

    skillset = load_skillset("medical-office-specialist")
    analyze = fake_analyzer.analyze

    def compact(raw: str, **kw):
        record = analyze(raw, **kw)
        record["skills"] = [{k: s[k] for k in ("id", "requirement", "evidence")} for s in record["skills"]]
        record["coverage"] = {"tier": {"modern": {"found": 0, "share": 0.0}}}
        record["score_parts"] = {"tier": {"modern": {"required": 0, "preferred": 0, "unspecified": 0},
                                          "foundation": {"required": 1, "preferred": 0, "unspecified": 0}},
                                 "coverage": 4.2}
        record["market"] = {"percentile": 40, "reference": "all", "similar_postings": 5}
        return record

    fake_analyzer.record_skillset = skillset.id
    fake_analyzer.analyze = compact
    r = client.post("/api/v1/analyses", json={"text": f"scheduling {uuid.uuid4().hex}", "title": "Clerk"})
    drain(app, r.get_json()["id"])
    result = client.get(r.get_json()["status_url"]).get_json()["result"]
    scheduling = skillset.get("scheduling")
    assert result["skills"][0] == {"id": "scheduling", "name": scheduling.name, "category": scheduling.category,
                                   "tier": scheduling.tier, "requirement": "required",
                                   "evidence": result["skills"][0]["evidence"]}
    assert result["coverage"]["tier"]["modern"] == {
        "found": 0, "total": coverage_totals(skillset)["tier"]["modern"], "share": 0.0}
    assert result["score_parts"]["weights"] == requirement_weights()
    assert result["score_parts"]["level"] == {"required": 1, "preferred": 0, "unspecified": 0}
    assert result["market"]["reference"] == market_references()["all"]
    # A stored record's reference id is the skill set's to tell.
    assert client.get(f"/api/v1/skillsets/{skillset.id}").get_json()["markets"] == market_references()

    r = upload(client, f"id,description\n1,scheduling {uuid.uuid4().hex}\n".encode())
    batch_id = r.get_json()["id"]
    drain(app, batch_id)
    exported = json.loads(client.get(f"/api/v1/batches/{batch_id}/results?format=jsonl").get_data(as_text=True))
    assert exported["skills"][0]["name"] == scheduling.name
    assert exported["market"]["reference"] == market_references()["all"]
    csv_text = client.get(f"/api/v1/batches/{batch_id}/results?format=csv").get_data(as_text=True)
    assert scheduling.name in csv_text


def test_lone_surrogates_in_json_are_stored_as_replacement_characters(app, client) -> None:
    tag = uuid.uuid4().hex
    body = '{"text": "Use Epic \\ud800 daily ' + tag + '", "title": "Clerk \\udfff"}'
    r = client.post("/api/v1/analyses", data=body, content_type="application/json")
    assert r.status_code == 202, r.get_data(as_text=True)
    drain(app, r.get_json()["id"])
    result = client.get(r.get_json()["status_url"]).get_json()["result"]
    assert result["text"] == f"Clerk \ufffd\nUse Epic \ufffd daily {tag}" and result["title"] == "Clerk \ufffd"
    jsonl = f'{{"id": "a", "description": "Use Epic \\ud800 daily {tag}"}}\n'.encode()
    r = upload(client, jsonl, name="jobs.jsonl")
    assert r.status_code == 202, r.get_json()
    drain(app, r.get_json()["id"])
    status = client.get(f"/api/v1/batches/{r.get_json()['id']}").get_json()
    assert (status["done"], status["failed"]) == (1, 0)


def test_submit_with_wait_answers_202_when_the_result_is_late(app, client) -> None:
    # No worker runs here: the wait runs out and the answer is the usual 202.
    r = client.post("/api/v1/analyses?wait=0.2", json={"text": f"Epic {uuid.uuid4().hex}"})
    assert r.status_code == 202
    assert set(r.get_json()) == {"id", "status_url"}
    before = count_batches(app)
    r = client.post("/api/v1/analyses?wait=soon", json={"text": "Epic"})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    assert count_batches(app) == before  # refused before anything was stored


def count_batches(app) -> int:
    from sqlalchemy import func, select

    from worker.db import session_scope
    from worker.storage import Batch

    with session_scope(app.config["DATABASE_URL"]) as session:
        return int(session.scalar(select(func.count()).select_from(Batch)))


def test_single_analysis_errors(client) -> None:
    def error(r):
        return r.status_code, r.get_json()["error"]["code"]

    assert error(client.post("/api/v1/analyses", data="text")) == (415, "unsupported_media_type")
    assert error(client.post("/api/v1/analyses", json=[1])) == (400, "bad_request")
    assert error(client.post("/api/v1/analyses", json={"txt": "x"})) == (400, "bad_request")
    assert error(client.post("/api/v1/analyses", json={"text": "  "})) == (422, "unanalysable_text")
    r = client.post("/api/v1/analyses", json={"text": "x", "skillset": "/etc/passwd"})
    assert error(r) == (422, "unknown_skillset")
    assert error(client.get("/api/v1/analyses/nope")) == (404, "not_found")
    assert error(client.get("/api/v1/batches/nope")) == (404, "not_found")
    assert client.get("/api/v1/nothing-here").get_json()["error"]["code"] == "not_found"


def test_batch_flow(app, client) -> None:
    tag = uuid.uuid4().hex
    lines = ["id,title,company,location,date_posted,description"]
    lines += [f"{i},Clerk,Acme,York,2020-10-0{i % 9 + 1},billing {tag} {i}" for i in range(9)]
    lines.append("9,Clerk,Acme,York,2020-10-01,")
    r = upload(client, "\n".join(lines).encode())
    assert r.status_code == 202, r.get_json()
    batch_id = r.get_json()["id"]
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["status"], status["total"], status["done"], status["failed"]) == (
        "queued", 10, 0, 1)
    drain(app, batch_id)
    status = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (status["status"], status["done"], status["failed"]) == ("done", 9, 1)
    # Every time says its zone, on SQLite as on PostgreSQL.
    assert all(status[k].endswith("+00:00") for k in ("created_at", "started_at", "finished_at")), status

    r = client.get(f"/api/v1/batches/{batch_id}/results?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    assert len(r.get_data(as_text=True).splitlines()) == 11
    r = client.get(f"/api/v1/batches/{batch_id}/results?format=jsonl")
    records = [json.loads(x) for x in r.get_data(as_text=True).splitlines()]
    assert len(records) == 10 and records[-1]["status"] == "failed"
    assert client.get(f"/api/v1/batches/{batch_id}/results?format=xml").status_code == 400

    report = client.get(f"/api/v1/batches/{batch_id}/report").get_json()
    assert report["report"]["analysed"] == 9 and report["report"]["failed"] == 1
    assert report["report"]["by_company"][0] == {"name": "Acme", "count": 9, "mean_score": 33.3}


def test_batch_report_live_then_stored(app, client) -> None:
    from worker import pipeline
    from worker.report import build_report
    from worker.results import iter_results

    url = app.config["DATABASE_URL"]
    rows = "company,description\n" + "\n".join(f"Acme,epic {uuid.uuid4().hex}" for _ in range(8))
    batch_id = upload(client, rows.encode()).get_json()["id"]

    def report() -> dict:
        return client.get(f"/api/v1/batches/{batch_id}/report").get_json()["report"]

    assert (report()["analysed"], report()["pending"]) == (0, 8)
    pipeline.start_chunk(url, batch_id, 0)
    pipeline.run_chunk(url, batch_id, 0)
    assert (report()["analysed"], report()["pending"]) == (4, 4)
    assert client.get(f"/batches/{batch_id}/report").status_code == 200
    drain(app, batch_id)
    first = report()
    assert first == build_report(iter_results(url, batch_id))
    assert (first["analysed"], first["pending"]) == (8, 0)
    assert report() == first
    assert b"Acme" in client.get(f"/batches/{batch_id}/report").data


def test_batch_cancel(app, client) -> None:
    rows = "description\n" + "\n".join(f"x {uuid.uuid4().hex}" for _ in range(10))
    batch_id = upload(client, rows.encode()).get_json()["id"]
    r = client.delete(f"/api/v1/batches/{batch_id}")
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
    assert r.get_json()["cancelled"] == 10
    drain(app, batch_id)
    body = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (body["done"], body["failed"], body["cancelled"], body["total"]) == (0, 0, 10, 10)
    r = client.post(f"/api/v1/batches/{batch_id}/resume")
    assert r.status_code == 200 and (r.get_json()["status"], r.get_json()["cancelled"]) == (
        "queued", 0)
    drain(app, batch_id)
    body = client.get(f"/api/v1/batches/{batch_id}").get_json()
    assert (body["status"], body["done"], body["cancelled"]) == ("done", 10, 0)
    assert client.post(f"/api/v1/batches/{batch_id}/resume").get_json()["status"] == "done"
    assert client.post("/api/v1/batches/" + "0" * 32 + "/resume").status_code == 404


def test_batch_errors(client) -> None:
    def error(r):
        return r.status_code, r.get_json()["error"]["code"]

    assert error(client.post("/api/v1/batches", json={})) == (415, "unsupported_media_type")
    assert error(client.post("/api/v1/batches", data={},
                             content_type="multipart/form-data")) == (400, "bad_request")
    assert error(upload(client, b"x", "jobs.pdf")) == (415, "unsupported_media_type")
    assert error(upload(client, b"a,b\n1,2\n")) == (422, "unreadable_file")
    assert error(upload(client, b"")) == (422, "unreadable_file")
    assert error(upload(client, b"description\nx\n", skillset="nope")) == (422, "unknown_skillset")
    big = b"description\n" + b"x" * (1024 * 1024 + 10)
    assert error(upload(client, big)) == (413, "request_entity_too_large")


def test_upload_over_limit_refused_before_reading(app) -> None:
    """The 413 comes from the Content-Length header: the body is never read."""
    read = []

    class Body(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            read.append(len(b))
            return 0

    env = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/api/v1/batches",
        "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(200 * 1024 * 1024), "wsgi.input": Body(),
    }
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    base = EnvironBuilder().get_environ()
    base.update(env)
    _, status, _ = run_wsgi_app(app, base)
    assert status.startswith("413")
    assert sum(read) == 0


def test_health_and_openapi(client) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    r = client.get("/readyz")
    # No worker runs in this test, so the app is up but not ready.
    assert r.status_code == 503
    assert r.get_json()["checks"]["database"] == "ok"
    assert r.get_json()["checks"]["workers"] == 0
    spec = yaml.safe_load(client.get("/api/v1/openapi.yaml").get_data(as_text=True))
    assert spec["openapi"].startswith("3.")
    documented = set(spec["paths"])
    # Every API route and health check is documented (the HTML pages are not API).
    routes = {re.sub(r"<[^>]+>", "{id}", r.rule) for r in client.application.url_map.iter_rules()
              if r.rule.startswith(("/api/", "/healthz", "/readyz"))}
    assert routes == documented


def test_skillsets_are_listed_and_each_is_told_with_every_skill(client) -> None:
    from models.skillset import builtin_ids, load_skillset

    listed = client.get("/api/v1/skillsets").get_json()["skillsets"]
    assert [s["id"] for s in listed] == builtin_ids()
    assert all("skills" not in s and s["url"] == f"/api/v1/skillsets/{s['id']}" for s in listed)
    specialist = client.get("/api/v1/skillsets/medical-office-specialist").get_json()
    builtin = load_skillset("medical-office-specialist")
    assert specialist["version"] == builtin.version
    assert [s["id"] for s in specialist["skills"]] == builtin.ids
    ehr = specialist["skills"][0]
    assert set(ehr) == {"id", "name", "category", "tier", "weight", "why", "applies", "counterpart", "alternatives"}
    assert ehr["why"] == builtin.skills[0].why and ehr["applies"] is None
    cmaa = next(s for s in specialist["skills"] if s["id"] == "cmaa")
    assert cmaa["applies"] == ["US"] and "AMSPAR" in cmaa["counterpart"]
    assert cmaa["alternatives"] == ["ma_certification"] and ehr["alternatives"] is None
    pay = {r["locale"]: r for r in specialist["pay"]}
    assert pay["US"]["currency"] == "USD" and pay["UK"]["currency"] == "GBP"
    missing = client.get("/api/v1/skillsets/no-such-set")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    # A path is never read from the web.
    assert client.get("/api/v1/skillsets/..%2Fpyproject.toml").status_code == 404


def test_openapi_documents_the_skill_set_and_a_lean_gap(client) -> None:
    spec = yaml.safe_load(client.get("/api/v1/openapi.yaml").get_data(as_text=True))
    schemas = spec["components"]["schemas"]
    # A gap is its skill's id (and, with the market known, how often similar postings ask for it):
    # what the skill is, the skill set tells.
    assert set(schemas["Gap"]["required"]) == {"id"}
    assert set(schemas["Gap"]["properties"]) == {"id", "similar_share"}
    skill = schemas["SkillSet"]["allOf"][1]["properties"]["skills"]["items"]["properties"]
    assert {"id", "name", "category", "tier", "weight", "why", "applies", "counterpart"} <= set(skill)
    assert schemas["Record"]["properties"]["locale"]["enum"] == ["US", "UK"]


def test_upload_spooled_to_disk_is_streamed(app, client) -> None:
    """Werkzeug keeps uploads over 500 KB in a temporary file; the pipeline reads it as a stream."""
    tag = uuid.uuid4().hex
    body = "description\n" + "\n".join(f"scheduling {tag} {i} " + "y" * 200 for i in range(3500))
    assert 600_000 < len(body) < 1024 * 1024
    r = upload(client, body.encode())
    assert r.status_code == 202
    status = client.get(r.get_json()["status_url"]).get_json()
    assert status["total"] == 3500
