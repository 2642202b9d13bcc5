"""Tables: batches, their rows, postings (deduplicated by content) and analyses.

A pasted posting is a batch of kind ``single`` with one row, so one task and one
code path serve both. Progress lives here, not in Celery's result store, so it
survives restarts of the broker and the workers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Batch statuses. "receiving" while the file is still being stored.
RECEIVING, QUEUED, RUNNING, DONE, FAILED, CANCELLED = (
    "receiving", "queued", "running", "done", "failed", "cancelled",
)
FINISHED = (DONE, FAILED, CANCELLED)
# Row statuses: pending, then done or failed; or cancelled, when the batch was
# cancelled before the row was analysed.
PENDING = "pending"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def content_hash(text: str, location: str | None = None, title: str | None = None,
                 company: str | None = None) -> str:
    """Return the hash that makes an identical posting analysed once.

    A row's location is a cue to the posting's locale and its title to its occupation
    and similar postings; its company is in the record. So the same text with any of
    them is another posting, analysed with them. Text alone hashes as it always did.
    """
    key = text
    for name, value in (("location", location), ("title", title), ("company", company)):
        if value:
            key += f"\x00{name}:{value}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class Base(DeclarativeBase):
    # Every model here is mapped to a Table (the default says only FromClause),
    # so core statements can be built on ``Model.__table__``.
    __table__: ClassVar[Table]


class Batch(Base):
    __tablename__ = "batches"
    # For the workers' sweep: unfinished batches by how long they have not moved.
    __table_args__ = (Index("ix_batches_status_progress", "status", "progress_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="batch")
    status: Mapped[str] = mapped_column(String(16), default=RECEIVING)
    filename: Mapped[str | None] = mapped_column(String(255))
    # What the user asked for (a built-in id or a path) and what it resolved to.
    skillset: Mapped[str | None] = mapped_column(String(1024))
    skillset_id: Mapped[str] = mapped_column(String(128))
    skillset_version: Mapped[str] = mapped_column(String(64))
    # Null until the whole file has been stored.
    total: Mapped[int | None] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Rows a cancel left unanalysed: done + failed + cancelled = total once the file
    # is stored. Back to 0 when the batch is resumed.
    cancelled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Of done + failed, the rows that took an analysis stored before (the same posting,
    # skill set and version) instead of being analysed: the rate leaves them out.
    reused: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    chunks: Mapped[int] = mapped_column(Integer, default=0)
    include_text: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # When the batch last moved (created, fully received, rows counted, chunks sent
    # again): a queued or running batch still for long has lost its chunk tasks.
    # Nullable only because SQLite adds a NOT NULL column by rebuilding the table;
    # migration 0004 fills it in for older batches.
    progress_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                            default=utcnow)
    # A finished batch's report (``worker.report.batch_report``), built once, and
    # its done + failed count then: a count that moved since means it is out of date.
    # Deferred: progress polls load the batch and have no use for it.
    report: Mapped[dict | None] = mapped_column(JSON, deferred=True)
    report_processed: Mapped[int | None] = mapped_column(Integer)


class Posting(Base):
    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Analysis(Base):
    __tablename__ = "analyses"
    __table_args__ = (UniqueConstraint("posting_id", "skillset_id", "skillset_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id"))
    skillset_id: Mapped[str] = mapped_column(String(128))
    skillset_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    # The engine's record, without the normalised text (kept apart, and only
    # for pasted postings, whose pages show the evidence in place).
    record: Mapped[dict] = mapped_column(JSON)
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BatchRow(Base):
    __tablename__ = "batch_rows"
    __table_args__ = (
        UniqueConstraint("batch_id", "row"),
        Index("ix_batch_rows_chunk", "batch_id", "chunk"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    # Null for rows that failed while the file was read; they are in no chunk.
    chunk: Mapped[int | None] = mapped_column(Integer)
    source_id: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(512))
    company: Mapped[str | None] = mapped_column(String(512))
    location: Mapped[str | None] = mapped_column(String(512))
    date: Mapped[str | None] = mapped_column(String(64))
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id"))
    analysis_id: Mapped[int | None] = mapped_column(ForeignKey("analyses.id"))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class StoredSkillSet(Base):
    """A skill set by id: a built-in one (recorded when first used) or one a user created.

    A created set's id is unguessable, since there are no accounts: whoever has it can
    use it, download it and add versions to it.
    """

    __tablename__ = "skillsets"

    id: Mapped[str] = mapped_column(String(96), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    builtin: Mapped[bool] = mapped_column(default=False)
    # The newest version: what the bare id resolves to.
    latest: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SkillSetVersion(Base):
    """One immutable version of a skill set: the file it was made from, as given."""

    __tablename__ = "skillset_versions"

    skillset_id: Mapped[str] = mapped_column(ForeignKey("skillsets.id", ondelete="CASCADE"),
                                             primary_key=True)
    version: Mapped[str] = mapped_column(String(24), primary_key=True)
    # Of the parsed data (``models.skillset.SkillSet.digest``).
    digest: Mapped[str] = mapped_column(String(16))
    # The TOML text, whatever it was uploaded as (a CSV is stored as the TOML made of it).
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Match(Base):
    """A résumé held against a posting or a finished batch (``worker/matches.py``).

    A résumé is personal data: its text is kept only until the match has run, the
    result (which quotes it) only until ``expires_at``; the id is the only key.
    """

    __tablename__ = "matches"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=QUEUED)
    skillset: Mapped[str | None] = mapped_column(String(128))
    # The posting's text, or the finished batch the résumé is held against.
    batch_id: Mapped[str | None] = mapped_column(ForeignKey("batches.id", ondelete="CASCADE"))
    resume_text: Mapped[str | None] = mapped_column(Text)
    posting_text: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
