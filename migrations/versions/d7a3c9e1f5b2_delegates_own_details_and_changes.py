"""delegates' own details (what each event asks, erased after it), their language, substitution and withdrawal requests

Revision ID: d7a3c9e1f5b2
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 19:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3c9e1f5b2'
down_revision = 'd4a7c9e1f0b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), nullable=False, server_default=''))
    op.create_table(
        'details_policy',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('fields', sa.JSON(), nullable=False),
        sa.Column('erase_after_days', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_details_policy_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_details_policy')),
        sa.UniqueConstraint('event_id', name=op.f('uq_details_policy_event_id')),
    )
    op.create_table(
        'delegate_details',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('document_number', sa.String(length=40), nullable=True),
        sa.Column('nationality', sa.String(length=2), nullable=True),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('arrival_date', sa.Date(), nullable=True),
        sa.Column('departure_date', sa.Date(), nullable=True),
        sa.Column('visa_letter', sa.Boolean(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['delegate_id'], ['delegate.id'], name=op.f('fk_delegate_details_delegate_id_delegate'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_delegate_details_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegate_details')),
        sa.UniqueConstraint('delegate_id', name=op.f('uq_delegate_details_delegate_id')),
    )
    with op.batch_alter_table('delegate_details', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegate_details_event_id'), ['event_id'], unique=False)
    op.create_table(
        'delegate_change_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('delegate_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('replacement', sa.JSON(), nullable=False),
        sa.Column('replacement_id', sa.Integer(), nullable=True),
        sa.Column('decision_reason', sa.Text(), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_delegate_change_request_event_id_event'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('fk_delegate_change_request_delegation_id_delegation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['delegate_id'], ['delegate.id'], name=op.f('fk_delegate_change_request_delegate_id_delegate'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['replacement_id'], ['delegate.id'], name=op.f('fk_delegate_change_request_replacement_id_delegate'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_delegate_change_request_requested_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_delegate_change_request_decided_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delegate_change_request')),
    )
    with op.batch_alter_table('delegate_change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegate_change_request_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegate_change_request_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegate_change_request_delegate_id'), ['delegate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegate_change_request_status'), ['status'], unique=False)


def downgrade():
    op.drop_table('delegate_change_request')
    op.drop_table('delegate_details')
    op.drop_table('details_policy')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_column('language')
