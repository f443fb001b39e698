"""key messages: a conversation thread (the review comment moves into it), the revision each
translation was made from, accepted out-of-date translations, and a word limit per session

Revision ID: d7a3f0c9e1b4
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:30:00.000000

"""
import json
from datetime import datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7a3f0c9e1b4'
down_revision = 'c5d1e8f2a7b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'key_message_comment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['message_id'], ['key_message.id'],
                                name=op.f('fk_key_message_comment_message_id_key_message'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_key_message_comment_user_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_key_message_comment')),
    )
    with op.batch_alter_table('key_message_comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_key_message_comment_message_id'), ['message_id'], unique=False)
    # Plain ALTER TABLE (no batch): on SQLite a batch copy of key_message would drop the old table, and with
    # foreign keys on, its revisions would go with it (ON DELETE CASCADE).
    op.add_column('key_message', sa.Column('translated_from', sa.JSON(), server_default='{}', nullable=False))
    op.add_column('outcome_document', sa.Column('accepted_outdated', sa.JSON(), server_default='[]', nullable=False))
    op.add_column('meeting_session', sa.Column('key_message_word_limit', sa.Integer(), nullable=True))

    conn = op.get_bind()
    # Every translation there is today was made from the latest revision: none is out of date yet.
    rows = conn.execute(sa.text(
        "SELECT m.id, m.text, m.original_language, m.review_comment, "
        "(SELECT max(r.number) FROM key_message_revision r WHERE r.message_id = m.id) "
        "FROM key_message m")).fetchall()
    for message_id, text, original, comment, latest in rows:
        text = json.loads(text) if isinstance(text, str) else (text or {})
        bases = {code: latest or 1 for code, value in text.items() if code != original and (value or "").strip()}
        conn.execute(sa.text("UPDATE key_message SET translated_from = :t WHERE id = :id"),
                     {"t": json.dumps(bases), "id": message_id})
        if (comment or "").strip():
            # The single review comment becomes the first post of the thread, by whoever returned it.
            last = conn.execute(sa.text(
                "SELECT user_id, at FROM key_message_revision WHERE message_id = :id AND action = 'return' "
                "ORDER BY number DESC LIMIT 1"), {"id": message_id}).first()
            conn.execute(sa.text(
                "INSERT INTO key_message_comment (message_id, user_id, at, kind, body) "
                "VALUES (:id, :user, :at, 'return', :body)"),
                {"id": message_id, "user": last[0] if last else None,
                 "at": last[1] if last else datetime.utcnow(), "body": comment})
    op.drop_column('key_message', 'review_comment')  # SQLite 3.35+ drops a column in place


def downgrade():
    op.add_column('key_message', sa.Column('review_comment', sa.Text(), server_default='', nullable=False))
    conn = op.get_bind()
    # The last return comment of each message is its review comment again.
    for message_id, body in conn.execute(sa.text(
            "SELECT c.message_id, c.body FROM key_message_comment c WHERE c.kind = 'return' AND c.id = "
            "(SELECT max(d.id) FROM key_message_comment d WHERE d.message_id = c.message_id AND d.kind = 'return')")):
        conn.execute(sa.text("UPDATE key_message SET review_comment = :b WHERE id = :id"),
                     {"b": body, "id": message_id})
    op.drop_column('meeting_session', 'key_message_word_limit')
    op.drop_column('outcome_document', 'accepted_outdated')
    op.drop_column('key_message', 'translated_from')
    with op.batch_alter_table('key_message_comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_key_message_comment_message_id'))
    op.drop_table('key_message_comment')
