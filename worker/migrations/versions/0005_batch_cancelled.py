"""rows a cancelled batch never analysed, counted and marked

Cancelling a batch now marks its rows not analysed yet ``cancelled`` in the same
transaction and counts them on the batch, so that done + failed + cancelled is
its total. Batches cancelled before get the same: their rows still pending are
marked and counted.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A NOT NULL column with a default is a plain ALTER TABLE on SQLite too.
    op.add_column('batches', sa.Column('cancelled', sa.Integer(), nullable=False,
                                       server_default='0'))
    op.execute(
        "UPDATE batch_rows SET status = 'cancelled' WHERE status = 'pending' AND batch_id IN "
        "(SELECT id FROM batches WHERE status = 'cancelled')"
    )
    op.execute(
        "UPDATE batches SET cancelled = (SELECT count(*) FROM batch_rows WHERE "
        "batch_rows.batch_id = batches.id AND batch_rows.status = 'cancelled') "
        "WHERE status = 'cancelled'"
    )


def downgrade() -> None:
    op.execute("UPDATE batch_rows SET status = 'pending' WHERE status = 'cancelled'")
    # Plain ALTER TABLE (SQLite 3.35+), not batch mode: its rebuild would cascade.
    op.drop_column('batches', 'cancelled')
