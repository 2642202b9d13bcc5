"""Store a pasted posting as a one-row batch: one statement on PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, bindparam, insert, literal, select, true

from models.text import without_surrogates
from worker.db import get_autocommit, get_engine
from worker.pipeline import analyzers
from worker.pipeline.storing import Enqueue, field, posting_ids
from worker.storage import PENDING, QUEUED, Batch, BatchRow, content_hash, utcnow
from worker.storage import Posting as StoredPosting

_batches = Batch.__table__
_rows = BatchRow.__table__
_postings = StoredPosting.__table__

# A pasted posting is one batch, one posting (kept if already stored) and one row.
# On PostgreSQL they are one INSERT with its WITH clauses: one round trip, atomic
# without BEGIN and COMMIT. SQLite has no INSERT inside WITH: there they are three
# statements in one transaction.
_NEW_BATCH = insert(_batches).values(
    id=bindparam("b"), kind="single", status=QUEUED, skillset=bindparam("skillset"),
    skillset_id=bindparam("sid"), skillset_version=bindparam("sver"), include_text=True,
    total=1, done=0, failed=0, cancelled=0, reused=0, chunks=1, created_at=bindparam("now"),
    progress_at=bindparam("now"),
)
_NEW_ROW = insert(_rows).values(
    batch_id=bindparam("b"), row=1, chunk=0, title=bindparam("title"),
    company=bindparam("company"), posting_id=bindparam("posting"), status=PENDING, attempts=0,
)


def _new_single_postgresql() -> Any:
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    new = pg_insert(_postings)
    # DO UPDATE with a value that changes nothing, so that RETURNING gives the id of a
    # posting already stored too (DO NOTHING returns no row for it).
    posting = (
        new.values(content_hash=bindparam("hash"), text=bindparam("text"),
                   created_at=bindparam("now"))
        .on_conflict_do_update(index_elements=["content_hash"],
                               set_={"content_hash": new.excluded.content_hash})
        .returning(_postings.c.id).cte("posting")
    )
    batch = _NEW_BATCH.returning(_batches.c.id).cte("batch")
    row = select(
        batch.c.id, literal(1), literal(0), bindparam("title", type_=String),
        bindparam("company", type_=String), posting.c.id, literal(PENDING), literal(0),
    ).select_from(batch.join(posting, true()))
    return insert(_rows).from_select(
        ["batch_id", "row", "chunk", "title", "company", "posting_id", "status", "attempts"], row)


_NEW_SINGLE_POSTGRESQL = _new_single_postgresql()


def submit_text(
    url: str,
    text: str,
    enqueue: Enqueue,
    *,
    skillset: str | None = None,
    title: str | None = None,
    company: str | None = None,
) -> str:
    """Store one pasted posting as a one-row batch and enqueue it; return its id.

    One statement on PostgreSQL, one transaction elsewhere: a person is waiting.
    """
    pinned = analyzers.resolve_skillset(url, skillset)
    batch_id = uuid.uuid4().hex
    # A JSON body may carry lone surrogates ("\\ud800"), which no database column takes.
    text = without_surrogates(text)
    title, company = (without_surrogates(v) if v else v for v in (title, company))
    values: dict[str, Any] = {
        "b": batch_id, "skillset": pinned.ref, "sid": pinned.id, "sver": pinned.analysis_version,
        "title": field(title, 512), "company": field(company, 512),
        "hash": content_hash(text, None, field(title, 512), field(company, 512)),
        "text": text, "now": utcnow(),
    }
    if get_engine(url).dialect.name == "postgresql":
        with get_autocommit(url).connect() as conn:
            conn.execute(_NEW_SINGLE_POSTGRESQL, values)
    else:
        with get_engine(url, write=True).begin() as conn:
            conn.execute(_NEW_BATCH, values)
            key = (text, None, values["title"], values["company"])
            values["posting"] = posting_ids(conn, [key])[values["hash"]]
            conn.execute(_NEW_ROW, values)
    enqueue(batch_id, 0)
    return batch_id
