"""rows of a batch that reused an analysis stored before, counted apart

A posting analysed before (for the same skill set and version) is not analysed
again: its row takes the stored analysis at once. The batch counts those rows in
``reused``, so its rate of analysis is that of the postings analysed now and a
file analysed before does not show thousands of postings a second. Batches from
before count none.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A NOT NULL column with a default is a plain ALTER TABLE on SQLite too.
    op.add_column('batches', sa.Column('reused', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+), not batch mode: its rebuild would cascade.
    op.drop_column('batches', 'reused')
