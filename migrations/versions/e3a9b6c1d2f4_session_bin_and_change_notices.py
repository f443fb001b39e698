"""sessions go to a bin instead of being deleted; changes of published sessions wait as notices

Revision ID: e3a9b6c1d2f4
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e3a9b6c1d2f4'
down_revision = 'e3a9b7c41d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deleted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deleted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deleted_public', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_meeting_session_deleted_at'), ['deleted_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meeting_session_deleted_by_id_user'), 'user',
                                    ['deleted_by_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'pending_notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_pending_notice_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['meeting_session.id'], name=op.f('fk_pending_notice_session_id_meeting_session'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_pending_notice_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_notice')),
    )
    with op.batch_alter_table('pending_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_notice_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pending_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_notice_event_id'))
    op.drop_table('pending_notice')
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_session_deleted_by_id_user'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meeting_session_deleted_at'))
        batch_op.drop_column('deleted_public')
        batch_op.drop_column('deleted_by_id')
        batch_op.drop_column('deleted_at')
