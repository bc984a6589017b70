"""annotation queue for researchers, and the flags of corrected versions

Revision ID: 0005_queue
Revises: 0004_ratings
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_queue"
down_revision = "0004_ratings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correction_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(["correction_id"], ["corrections.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("correction_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_correction_flags_correction_id"), ["correction_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_correction_flags_code"), ["code"], unique=False)
    # corrections stored before this revision get their flags from their reports
    bind = op.get_bind()
    corrections = sa.table("corrections", sa.column("id", sa.Integer()), sa.column("report", sa.JSON()))
    flags = sa.table("correction_flags", sa.column("correction_id", sa.Integer()), sa.column("code", sa.String()))
    rows = [
        {"correction_id": cid, "code": f["code"]}
        for cid, report in bind.execute(sa.select(corrections.c.id, corrections.c.report))
        for f in (report or {}).get("flags", [])
    ]
    if rows:
        op.bulk_insert(flags, rows)
    op.create_table(
        "queue_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.Integer(), nullable=False),
        sa.Column("sentence", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("context", sa.Text(), nullable=True),
        sa.Column("model_label", sa.String(length=20), nullable=False),
        sa.Column("margin", sa.Float(), nullable=False),
        sa.Column("double", sa.Boolean(), nullable=False),
        sa.Column("final_label", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["analysis_id"], ["analyses.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("analysis_id", "segment", "sentence", name="uq_queue_items_sentence"),
    )
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_items_analysis_id"), ["analysis_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_queue_items_document_id"), ["document_id"], unique=False)
    op.create_table(
        "queue_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["queue_items.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("item_id", "user_id", name="uq_queue_labels_item_user"),
    )
    with op.batch_alter_table("queue_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queue_labels_item_id"), ["item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_queue_labels_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queue_labels", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_labels_user_id"))
        batch_op.drop_index(batch_op.f("ix_queue_labels_item_id"))
    op.drop_table("queue_labels")
    with op.batch_alter_table("queue_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queue_items_document_id"))
        batch_op.drop_index(batch_op.f("ix_queue_items_analysis_id"))
    op.drop_table("queue_items")
    with op.batch_alter_table("correction_flags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_correction_flags_code"))
        batch_op.drop_index(batch_op.f("ix_correction_flags_correction_id"))
    op.drop_table("correction_flags")
