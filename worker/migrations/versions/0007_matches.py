"""matches: a résumé held against a posting or a batch, kept until it expires

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'matches',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('skillset', sa.String(length=128), nullable=True),
        sa.Column('batch_id', sa.String(length=32), nullable=True),
        sa.Column('resume_text', sa.Text(), nullable=True),
        sa.Column('posting_text', sa.Text(), nullable=True),
        sa.Column('result', sa.JSON(), nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_matches_expires_at', 'matches', ['expires_at'])


def downgrade() -> None:
    op.drop_index('ix_matches_expires_at', table_name='matches')
    op.drop_table('matches')
