"""delegates: the order they write their name in, their name in their own script, a badge photo

Revision ID: e3a9b7c41d20
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9b7c41d20'
down_revision = '9e4b1d7c2f60'
branch_labels = None
depends_on = None


def upgrade():
    # Existing delegates were printed given name first: that stays their order.
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_order', sa.String(length=12), server_default='given_family', nullable=False))
        batch_op.add_column(sa.Column('native_name', sa.String(length=240), server_default='', nullable=False))
        batch_op.add_column(sa.Column('photo_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_column('photo_sha256')
        batch_op.drop_column('native_name')
        batch_op.drop_column('name_order')
