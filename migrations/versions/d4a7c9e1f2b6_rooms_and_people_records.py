"""rooms and people as records of the event: typed room names and session people become rows of
`room` and `person` (merging duplicates per event), which sessions point to

Names are merged as the agenda compared them before: ignoring case and spacing ("Sala A" and
"sala  a" are one room, kept as first written). A person's organisation, gender and email are the
first non-empty ones found for that name.

Revision ID: d4a7c9e1f2b6
Revises: c5d1e8f2a7b3
Create Date: 2026-11-25 18:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a7c9e1f2b6'
down_revision = 'd4a7c2e9b1f6'
branch_labels = None
depends_on = None


def _norm(text):
    return " ".join((text or "").casefold().split())


event_t = sa.table('event', sa.column('id', sa.Integer), sa.column('original_language', sa.String))
room_t = sa.table('room', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                  sa.column('name', sa.JSON), sa.column('capacity', sa.Integer), sa.column('booths', sa.Integer))
person_t = sa.table('person', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                    sa.column('name', sa.String), sa.column('title', sa.String),
                    sa.column('organisation', sa.String), sa.column('gender', sa.String),
                    sa.column('email', sa.String), sa.column('delegation_id', sa.Integer))
session_t = sa.table('meeting_session', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
                     sa.column('room', sa.String), sa.column('room_id', sa.Integer))
sp_t = sa.table('session_person', sa.column('id', sa.Integer), sa.column('session_id', sa.Integer),
                sa.column('person_id', sa.Integer), sa.column('name', sa.String),
                sa.column('organisation', sa.String), sa.column('gender', sa.String), sa.column('email', sa.String))


def upgrade():
    op.create_table(
        'room',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.JSON(), nullable=False),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('booths', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_room_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_event_id'), ['event_id'], unique=False)
    op.create_table(
        'person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('title', sa.String(length=200), server_default='', nullable=False),
        sa.Column('organisation', sa.String(length=300), server_default='', nullable=False),
        sa.Column('gender', sa.String(length=12), server_default='undisclosed', nullable=False),
        sa.Column('email', sa.String(length=254), server_default='', nullable=False),
        sa.Column('delegation_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('fk_person_delegation_id_delegation'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_person_event_id_event'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_event_id'), ['event_id'], unique=False)
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('session_person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Integer(), nullable=True))

    _records_from_names(op.get_bind())

    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_session_room_id'), ['room_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_meeting_session_room_id_room'), 'room', ['room_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_column('room')
    with op.batch_alter_table('session_person', schema=None) as batch_op:
        batch_op.alter_column('person_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_session_person_person_id'), ['person_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_session_person_person_id_person'), 'person', ['person_id'], ['id'],
                                    ondelete='RESTRICT')
        batch_op.drop_column('email')
        batch_op.drop_column('gender')
        batch_op.drop_column('organisation')
        batch_op.drop_column('name')


def _records_from_names(conn):
    """Make a room per distinct room name and a person per distinct name of each event, and
    point the sessions and their people rows to them."""
    languages = dict(conn.execute(sa.select(event_t.c.id, event_t.c.original_language)).all())
    rooms = {}  # (event, normalised name) -> room id
    sessions = conn.execute(sa.select(session_t.c.id, session_t.c.event_id, session_t.c.room)
                            .order_by(session_t.c.id)).all()
    for sid, event_id, typed in sessions:
        key = (event_id, _norm(typed))
        if not key[1]:
            continue
        if key not in rooms:
            lang = languages.get(event_id) if languages.get(event_id) in ('fr', 'es', 'en') else 'en'
            rooms[key] = conn.execute(room_t.insert().values(
                event_id=event_id, name={lang: " ".join(typed.split())}, capacity=None, booths=0)
                .returning(room_t.c.id)).scalar_one()
        conn.execute(session_t.update().where(session_t.c.id == sid).values(room_id=rooms[key]))

    rows = conn.execute(sa.select(sp_t.c.id, session_t.c.event_id, sp_t.c.name, sp_t.c.organisation,
                                  sp_t.c.gender, sp_t.c.email)
                        .join(session_t, session_t.c.id == sp_t.c.session_id).order_by(sp_t.c.id)).all()
    people = {}  # (event, normalised name) -> dict of the record's fields
    for row in rows:
        key = (row.event_id, _norm(row.name) or f"#{row.id}")
        record = people.setdefault(key, {'event_id': row.event_id, 'name': " ".join((row.name or "").split()) or "?",
                                         'organisation': '', 'gender': 'undisclosed', 'email': '', 'rows': []})
        record['organisation'] = record['organisation'] or (row.organisation or '').strip()
        if record['gender'] == 'undisclosed' and row.gender:
            record['gender'] = row.gender
        record['email'] = record['email'] or (row.email or '').strip()
        record['rows'].append(row.id)
    for record in people.values():
        person_id = conn.execute(person_t.insert().values(
            event_id=record['event_id'], name=record['name'][:200], title='', organisation=record['organisation'][:300],
            gender=record['gender'], email=record['email'][:254], delegation_id=None)
            .returning(person_t.c.id)).scalar_one()
        conn.execute(sp_t.update().where(sp_t.c.id.in_(record['rows'])).values(person_id=person_id))


def downgrade():
    with op.batch_alter_table('session_person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('organisation', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('gender', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('room', sa.String(length=120), nullable=True))
    conn = op.get_bind()
    languages = dict(conn.execute(sa.select(event_t.c.id, event_t.c.original_language)).all())
    for room_id, event_id, name in conn.execute(sa.select(room_t.c.id, room_t.c.event_id, room_t.c.name)).all():
        name = name or {}
        text = name.get(languages.get(event_id)) or next((v for v in name.values() if v), '')
        conn.execute(session_t.update().where(session_t.c.room_id == room_id).values(room=text[:120]))
    conn.execute(session_t.update().where(session_t.c.room.is_(None)).values(room=''))
    for p in conn.execute(sa.select(person_t)).all():
        affiliation = ", ".join(part for part in (p.title, p.organisation) if part)
        conn.execute(sp_t.update().where(sp_t.c.person_id == p.id).values(
            name=p.name, organisation=affiliation[:300], gender=p.gender, email=p.email))
    with op.batch_alter_table('session_person', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_session_person_person_id_person'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_session_person_person_id'))
        batch_op.drop_column('person_id')
        for column, kind in (('name', sa.String(length=200)), ('organisation', sa.String(length=300)),
                             ('gender', sa.String(length=12)), ('email', sa.String(length=254))):
            batch_op.alter_column(column, existing_type=kind, nullable=False)
    with op.batch_alter_table('meeting_session', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_meeting_session_room_id_room'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_meeting_session_room_id'))
        batch_op.drop_column('room_id')
        batch_op.alter_column('room', existing_type=sa.String(length=120), nullable=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_event_id'))
        batch_op.drop_index(batch_op.f('ix_person_delegation_id'))
    op.drop_table('person')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_event_id'))
    op.drop_table('room')
