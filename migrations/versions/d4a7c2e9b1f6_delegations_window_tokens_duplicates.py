"""delegations: nomination window and per-delegation extensions, reminders, scoped expiring API tokens,
one email once per delegation (a duplicate in another delegation is flagged for organisers), letters of credentials

Existing API tokens are scoped to the delegation their owner is focal point of when there is exactly
one, and expire 90 days after this migration; the others (no delegation, or several) are left without
a scope, which the API refuses with a message asking to create a new token on the delegation's page.

Revision ID: d4a7c2e9b1f6
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:30:00.000000

"""
from datetime import UTC, datetime, timedelta

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7c2e9b1f6'
down_revision = 'd4a9c3e7b1f0'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status IN ('nominated', 'accredited')")
#: Old tokens: scoped to their owner's one delegation if there is exactly one, expiring at :expires.
SCOPE_OLD_TOKENS = (
    "UPDATE api_token SET expires_at = :expires, delegation_id = (SELECT MIN(f.delegation_id) FROM focal_point f "
    "WHERE f.user_id = api_token.user_id) WHERE delegation_id IS NULL AND (SELECT COUNT(*) FROM focal_point f "
    "WHERE f.user_id = api_token.user_id) = 1")


def upgrade():
    op.create_table(
        'nomination_window',
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('opens_at', sa.DateTime(), nullable=True),
        sa.Column('closes_at', sa.DateTime(), nullable=True),
        sa.Column('reminder_days', sa.Integer(), server_default='7', nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_nomination_window_event_id_event'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('event_id', name=op.f('pk_nomination_window')),
    )
    op.create_table(
        'credentials_letter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'],
                                name=op.f('fk_credentials_letter_delegation_id_delegation'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_credentials_letter_uploaded_by_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_credentials_letter')),
        sa.UniqueConstraint('delegation_id', name=op.f('uq_credentials_letter_delegation_id')),
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_extended_to', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('extension_reason', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('reminded_for', sa.DateTime(), nullable=True))
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('also_in_delegation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('duplicate_noticed_at', sa.DateTime(), nullable=True))
        batch_op.drop_index('uq_delegate_event_email_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_delegate_delegation_email_active', ['delegation_id', 'email'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delegation_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('can_write', sa.Boolean(), server_default=sa.text('true'), nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_api_token_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_api_token_delegation_id_delegation'), 'delegation',
                                    ['delegation_id'], ['id'], ondelete='CASCADE')
    # Old tokens: scoped to their owner's one delegation, if there is exactly one; else recreated by hand.
    expires = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=90)
    op.execute(sa.text(SCOPE_OLD_TOKENS).bindparams(expires=expires))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_token_delegation_id_delegation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_token_delegation_id'))
        batch_op.drop_column('expires_at')
        batch_op.drop_column('can_write')
        batch_op.drop_column('delegation_id')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_index('uq_delegate_delegation_email_active', sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.create_index('uq_delegate_event_email_active', ['event_id', 'email'], unique=True,
                              sqlite_where=ACTIVE, postgresql_where=ACTIVE)
        batch_op.drop_column('duplicate_noticed_at')
        batch_op.drop_column('also_in_delegation_id')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_column('reminded_for')
        batch_op.drop_column('extension_reason')
        batch_op.drop_column('deadline_extended_to')
    op.drop_table('nomination_window')
    op.drop_table('credentials_letter')
