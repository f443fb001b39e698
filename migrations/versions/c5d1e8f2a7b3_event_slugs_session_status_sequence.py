"""events keep their former addresses; sessions get a status (cancelled) and an iCalendar sequence

Revision ID: c5d1e8f2a7b3
Revises: 5c0e7a9d2b41
Create Date: 2026-11-25 16:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5d1e8f2a7b3'
down_revision = '5c0e7a9d2b41'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'event_slug',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_event_slug_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_slug')),
        sa.UniqueConstraint('slug', name=op.f('uq_event_slug_slug')),
    )
    with op.batch_alter_table('event_slug', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_slug_event_id'), ['event_id'], unique=False)
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=12), server_default='scheduled', nullable=False))
        batch_op.add_column(sa.Column('sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.drop_column('sequence')
        batch_op.drop_column('status')
    with op.batch_alter_table('event_slug', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_slug_event_id'))
    op.drop_table('event_slug')
