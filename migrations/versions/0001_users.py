"""users and their additional emails

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PROFILE_COLUMNS = [
    ("organization", 255), ("title", 255),
    ("home_locality", 255), ("home_region", 255), ("home_country", 255),
    ("work_locality", 255), ("work_region", 255), ("work_country", 255),
    ("home_email", 255), ("home_mobile", 64), ("home_pin", 64), ("home_phone", 64),
    ("home_phone_2", 64), ("home_street", 255), ("home_street_2", 255), ("home_postal_code", 32),
    ("work_email", 255), ("work_mobile", 64), ("work_pin", 64), ("work_phone", 64),
    ("work_phone_2", 64), ("work_street", 255), ("work_street_2", 255), ("work_postal_code", 32),
]


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("username", sa.String(50), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_verified", sa.Boolean(), nullable=False),
        sa.Column("avatar", sa.String(255)),
        sa.Column("profile_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_name", sa.String(50), nullable=False),
        sa.Column("last_name", sa.String(50), nullable=False),
        *[sa.Column(name, sa.String(length)) for name, length in PROFILE_COLUMNS],
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "user_emails",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("user_id", sa.Uuid(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_user_emails_user_id", "user_emails", ["user_id"])
    op.create_index(
        "uq_user_emails_email_lower", "user_emails", [sa.text("lower(email)")], unique=True
    )


def downgrade():
    op.drop_table("user_emails")
    op.drop_table("users")
