"""people directory: a search column (name, title, organisation, email without case or accents),
filled for the people already there, so that search works alike on SQLite and PostgreSQL

Revision ID: b9f4e2a6c8d1
Revises: d7a3c9e1f5b2
Create Date: 2026-11-25 21:30:00.000000

"""
import unicodedata

from alembic import op
from anyascii import anyascii
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b9f4e2a6c8d1'
down_revision = 'd7a3c9e1f5b2'
branch_labels = None
depends_on = None


def _key(text):
    # As dialogue.sessions.models.search_key on the day this was written.
    folded = unicodedata.normalize("NFKC", text or "").casefold()
    return " ".join(anyascii(folded).lower().split())


person_t = sa.table('person', sa.column('id', sa.Integer), sa.column('name', sa.String),
                    sa.column('title', sa.String), sa.column('organisation', sa.String),
                    sa.column('email', sa.String), sa.column('search_text', sa.Text))


def upgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    rows = conn.execute(sa.select(person_t.c.id, person_t.c.name, person_t.c.title, person_t.c.organisation,
                                  person_t.c.email)).all()
    for row in rows:
        text = " ".join(value or "" for value in (row.name, row.title, row.organisation, row.email))
        conn.execute(person_t.update().where(person_t.c.id == row.id).values(search_text=_key(text)))


def downgrade():
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('search_text')
