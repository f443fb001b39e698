"""Organisers' pages of the event's rooms and people directory, and the day grid by room."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..actions import perform
from ..extensions import db
from ..validation import page_arg
from . import directory, grid
from .forms import DirectoryPersonForm, RoomForm
from .labels import GENDER_LABELS, KIND_LABELS
from .models import Person, Room
from .views import _organised_event

bp = Blueprint("directory", __name__, url_prefix="/<lang>/manage/events/<slug>")

PEOPLE_PER_PAGE = 100


def _status() -> int:
    return 422 if request.method == "POST" else 200


# --- rooms ------------------------------------------------------------------------------------

@bp.get("/rooms")
def rooms(slug: str):
    """The event's room list, with how many sessions use each room."""
    ev = _organised_event(slug)
    return render_template("manage/rooms.html", event=ev, rooms=directory.rooms_of(ev),
                           usage=directory.room_usage(ev))


def _room(ev, room_id: int) -> Room:
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != ev.id:
        abort(404)
    return room


@bp.route("/rooms/new", methods=["GET", "POST"])
def room_new(slug: str):
    """Add a room to the event."""
    ev = _organised_event(slug)
    return _room_form(ev, RoomForm(), None)


@bp.route("/rooms/<id:room_id>/edit", methods=["GET", "POST"])
def room_edit(slug: str, room_id: int):
    """Rename a room or change its capacity and booths."""
    ev = _organised_event(slug)
    room = _room(ev, room_id)
    form = RoomForm() if request.method == "POST" else RoomForm(
        data={"name": room.name, "capacity": room.capacity, "booths": room.booths})
    return _room_form(ev, form, room)


def _room_form(ev, form: RoomForm, room: Room | None):
    if form.validate_on_submit():
        ok, saved = perform(lambda: directory.save_room(ev, form.data, current_user, room), form=form)
        if ok:
            flash(_("The room %(name)s is saved.", name=str(saved)), "success")
            return redirect(url_for("directory.rooms", slug=ev.slug))
    return render_template("manage/room_form.html", event=ev, form=form, room=room), _status()


@bp.post("/rooms/<id:room_id>/delete")
def room_delete(slug: str, room_id: int):
    """Remove a room no session uses."""
    ev = _organised_event(slug)
    room = _room(ev, room_id)
    name = str(room)
    ok, _done = perform(lambda: directory.delete_room(room, current_user))
    if ok:
        flash(_("The room %(name)s is deleted.", name=name), "success")
    return redirect(url_for("directory.rooms", slug=ev.slug))


# --- people -----------------------------------------------------------------------------------

@bp.get("/people")
def people(slug: str):
    """The people directory, searchable by name, title, organisation or email; 100 a page."""
    ev = _organised_event(slug)
    q = " ".join(request.args.get("q", "").split())[:200]
    query = select(Person).where(Person.event_id == ev.id, *directory.search_filter(q))
    page = db.paginate(query.order_by(Person.name, Person.id), page=page_arg(), per_page=PEOPLE_PER_PAGE,
                       error_out=False)
    return render_template("manage/people.html", event=ev, page=page, q=q, usage=directory.person_usage(ev),
                           delegations=dict(directory.delegation_choices(ev, g.lang)), GENDER_LABELS=GENDER_LABELS)


def _person(ev, person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.event_id != ev.id:
        abort(404)
    return person


@bp.route("/people/new", methods=["GET", "POST"])
def person_new(slug: str):
    """Add a person to the directory."""
    ev = _organised_event(slug)
    return _person_form(ev, DirectoryPersonForm(), None)


@bp.route("/people/<id:person_id>/edit", methods=["GET", "POST"])
def person_edit(slug: str, person_id: int):
    """Change a person's name, title, organisation, gender, email or delegation."""
    ev = _organised_event(slug)
    person = _person(ev, person_id)
    form = DirectoryPersonForm() if request.method == "POST" else DirectoryPersonForm(data={
        "name": person.name, "title": person.title, "organisation": person.organisation, "gender": person.gender,
        "email": person.email, "delegation": str(person.delegation_id or "")})
    return _person_form(ev, form, person)


def _person_form(ev, form: DirectoryPersonForm, person: Person | None):
    form.delegation.choices = [("", _("None"))] + directory.delegation_choices(ev, g.lang)
    if form.validate_on_submit():
        ok, saved = perform(lambda: directory.save_person(ev, form.data, current_user, person), form=form)
        if ok:
            flash(_("%(name)s is saved in the people directory.", name=saved.name), "success")
            return redirect(url_for("directory.people", slug=ev.slug))
    return render_template("manage/person_form.html", event=ev, form=form, person=person), _status()


@bp.post("/people/<id:person_id>/delete")
def person_delete(slug: str, person_id: int):
    """Remove a person who is on no session."""
    ev = _organised_event(slug)
    person = _person(ev, person_id)
    name = person.name
    ok, _done = perform(lambda: directory.delete_person(person, current_user))
    if ok:
        flash(_("%(name)s is deleted from the people directory.", name=name), "success")
    return redirect(url_for("directory.people", slug=ev.slug))


# --- grid -------------------------------------------------------------------------------------

@bp.get("/grid")
def day_grid(slug: str):
    """One day by room: rooms as columns, quarter hours as rows, clashes marked in words."""
    ev = _organised_event(slug)
    day = grid.pick_day(ev, request.args.get("day"))
    return render_template("manage/grid.html", event=ev, grid=grid.build(ev, day), tz=ev.timezone,
                           KIND_LABELS=KIND_LABELS)
