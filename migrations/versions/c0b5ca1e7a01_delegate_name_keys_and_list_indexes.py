"""delegate name keys and list indexes

Paginated, searchable participants, delegation and accreditation pages at COP scale: every
delegate gets a sort key and a search key derived from its names (backfilled here), and three
indexes serve the lists' counts, keyset and per-delegation queries.

Revision ID: c0b5ca1e7a01
Revises: b7e4c2a91d35
Create Date: 2026-11-25 15:20:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c0b5ca1e7a01'
down_revision = 'b7e4c2a91d35'
branch_labels = None
depends_on = None


def upgrade():
    from dialogue.delegates.models import name_keys

    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sort_name', sa.Text().with_variant(sa.Text(collation='C'), 'postgresql'),
                                      nullable=False, server_default=''))
        batch_op.add_column(sa.Column('search_name', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_delegate_event_status_delegation', ['event_id', 'status', 'delegation_id', 'search_name'],
                              unique=False)
        batch_op.create_index('ix_delegate_event_status_id', ['event_id', 'status', 'id'], unique=False)
        batch_op.create_index('ix_delegate_delegation_status_id', ['delegation_id', 'status', 'id'], unique=False)

    conn = op.get_bind()
    delegate = sa.table('delegate', sa.column('id'), sa.column('given_name'), sa.column('family_name'),
                        sa.column('sort_name'), sa.column('search_name'))
    rows = conn.execute(sa.select(delegate.c.id, delegate.c.given_name, delegate.c.family_name)).all()
    update = delegate.update().where(delegate.c.id == sa.bindparam('b_id')).values(
        sort_name=sa.bindparam('b_sort'), search_name=sa.bindparam('b_search'))
    for start in range(0, len(rows), 5000):
        batch = []
        for id_, given, family in rows[start:start + 5000]:
            sort, search = name_keys(given, family)
            batch.append({'b_id': id_, 'b_sort': sort, 'b_search': search})
        conn.execute(update, batch)


def downgrade():
    with op.batch_alter_table('delegate', schema=None) as batch_op:
        batch_op.drop_index('ix_delegate_delegation_status_id')
        batch_op.drop_index('ix_delegate_event_status_id')
        batch_op.drop_index('ix_delegate_event_status_delegation')
        batch_op.drop_column('search_name')
        batch_op.drop_column('sort_name')
