"""outcome publications carry a UN revision mark (Rev.1, Corr.1), the date they bear, a content hash and a DOCX

Revision ID: d4a9c3e7b1f0
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a9c3e7b1f0'
down_revision = 'e3a9b6c1d2f4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mark', sa.String(length=40), server_default='', nullable=False))
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('content_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('docx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('docx_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('docx_size', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_column('docx_size')
        batch_op.drop_column('docx_sha256')
        batch_op.drop_column('docx')
        batch_op.drop_column('content_sha256')
        batch_op.drop_column('issued_on')
        batch_op.drop_column('mark')
