"""lz4 compression for the large text and JSON columns (PostgreSQL 14+)

A posting's text (~4 KB), an analysis's record (~7 KB of JSON) and a pasted
posting's normalised text are over PostgreSQL's 2 KB TOAST threshold, so every
insert compresses them; with the default pglz that was about a tenth of a
millisecond of database CPU per row, lz4 takes a third of it. Only new values
are affected; existing ones stay readable. Nothing changes on SQLite, or on a
server built without lz4.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

COLUMNS = (("postings", "text"), ("analyses", "record"), ("analyses", "text"))


def _has_lz4() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    return bool(bind.execute(sa.text(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )).scalar())


def _set(method: str) -> None:
    if not _has_lz4():
        return
    for table, column in COLUMNS:
        op.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET COMPRESSION {method}')


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
