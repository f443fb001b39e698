"""events: when the organisers published the provisional list of participants

Revision ID: d4a7c9e1f0b2
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7c9e1f0b2'
down_revision = 'd4a7c9e1f2b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('participants_published_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('participants_published_at')
