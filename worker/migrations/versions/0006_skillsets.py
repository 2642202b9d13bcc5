"""skill sets as stored data: ids with immutable versions

A skill set, built in or created by a user, is resolved from the database by every
process alike: the web app, the API, the CLI and every worker on every machine.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'skillsets',
        sa.Column('id', sa.String(length=96), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('builtin', sa.Boolean(), nullable=False),
        sa.Column('latest', sa.String(length=24), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'skillset_versions',
        sa.Column('skillset_id', sa.String(length=96), nullable=False),
        sa.Column('version', sa.String(length=24), nullable=False),
        sa.Column('digest', sa.String(length=16), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['skillset_id'], ['skillsets.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('skillset_id', 'version'),
    )


def downgrade() -> None:
    op.drop_table('skillset_versions')
    op.drop_table('skillsets')
