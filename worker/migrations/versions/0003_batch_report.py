"""a finished batch's report, stored

The report of a 100k-row batch streams and decodes every analysis; once the
batch is finished its rows no longer change, so the report is built once and
kept on the batch, with the done + failed count it was built from.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('batches', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('report_processed', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), not batch mode: on SQLite batch mode rebuilds the
    # table, and dropping the old one deletes every batch's rows through ON DELETE CASCADE.
    op.drop_column('batches', 'report_processed')
    op.drop_column('batches', 'report')
