"""when a batch last made progress, for the workers' sweep

A batch whose chunk tasks were lost (a worker killed between taking a task from
Redis and recording it as unacknowledged, a broker wiped without persistence)
stays queued or running with pending rows forever. The workers look for such
batches by the time they last moved; the index serves that one query.

The column stays nullable: on SQLite a NOT NULL column means rebuilding the
table, and dropping the old one with foreign keys on would delete every batch's
rows through their ON DELETE CASCADE.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('batches', sa.Column('progress_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index('ix_batches_status_progress', 'batches', ['status', 'progress_at'])
    op.execute("UPDATE batches SET progress_at = COALESCE(finished_at, started_at, created_at)")


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), not batch mode: its rebuild would cascade too.
    op.drop_index('ix_batches_status_progress', table_name='batches')
    op.drop_column('batches', 'progress_at')
