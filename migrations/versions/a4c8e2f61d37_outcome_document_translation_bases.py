"""outcome document: the original text each translation of its own parts was made from

Revision ID: a4c8e2f61d37
Revises: b9f4e2a6c8d1
Create Date: 2026-11-25 21:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4c8e2f61d37'
down_revision = 'b9f4e2a6c8d1'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE (no batch), as for key_message: no copy of the table on SQLite. Empty: a
    # translation with no recorded original is current until the original next changes.
    op.add_column('outcome_document', sa.Column('translated_from', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+): a batch copy would drop outcome_document, and its publications with it.
    op.drop_column('outcome_document', 'translated_from')
