"""delegate count and trigram indexes

COP-scale lists: a narrow index (event, status, delegation) for the counts per delegation, and on
PostgreSQL, when the pg_trgm extension can be had, a trigram GIN index on the search key so a name
search reads the matching rows only (not declared in the models: see
dialogue.delegates.models.TRIGRAM_INDEX; `db check` ignores it).

Revision ID: 9e4b1d7c2f60
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:40:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '9e4b1d7c2f60'
down_revision = 'd7a3f0c9e1b4'
branch_labels = None
depends_on = None


def upgrade():
    from dialogue.delegates.models import create_trigram_index

    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.create_index('ix_delegate_event_status_delegation_id', ['event_id', 'status', 'delegation_id'],
                              unique=False)
    create_trigram_index(op.get_bind())


def downgrade():
    from dialogue.delegates.models import TRIGRAM_INDEX

    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP INDEX IF EXISTS {TRIGRAM_INDEX}')
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_index('ix_delegate_event_status_delegation_id')
