"""users: session version and last sign-in; failed-login counters move to the rate limiter

Sign-out and password changes raise `session_version`, which every session cookie carries, so
cookies issued before stop working. Failed sign-ins are now counted in the rate limiter's storage
(per account and client address), so `failed_logins` and `locked_until` go.

Revision ID: b7e4c2a91d35
Revises: 8a626b5086fb
Create Date: 2026-11-25 15:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e4c2a91d35'
down_revision = '8a626b5086fb'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(), nullable=True))
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('session_version')
