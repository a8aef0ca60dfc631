"""suggestions: the digest of what each user's suggestions were computed from

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("suggestion_refreshes") as batch:
        batch.add_column(sa.Column("inputs", sa.String(64), nullable=True))


def downgrade():
    with op.batch_alter_table("suggestion_refreshes") as batch:
        batch.drop_column("inputs")
