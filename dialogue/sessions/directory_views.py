"""Organisers' pages of the event's rooms and people directory, and the day grid by room."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class RecordPages:
    """The add, edit and delete pages of one kind of the event's records (rooms, people): they
    differ only in the form, the service they call and what they say."""

    model: type
    form: type
    template: str
    #: What the template calls the record ("room", "person"); None on the add page.
    as_name: str
    #: The endpoint of the list the pages go back to.
    listing: str
    #: The form's data for a record being edited.
    data: Callable
    #: directory.save_room / save_person: (event, data, by, record or None) -> record.
    save: Callable
    #: directory.delete_room / delete_person: (record, by).
    delete: Callable
    #: The flash once a record is saved, or deleted (given the record, or its name).
    saved: Callable
    deleted: Callable
    name: Callable
    #: Fills what the form needs from the event (choices), if anything.
    prepare: Callable = lambda ev, form: None

    def record(self, ev, record_id: int):
        """The event's record with this id, or 404 (never another event's)."""
        found = db.session.get(self.model, record_id)
        if found is None or found.event_id != ev.id:
            abort(404)
        return found

    def form_page(self, slug: str, record_id: int | None = None):
        """GET: the form (empty, or the record's); POST: save and go back to the list."""
        ev = _organised_event(slug)
        record = None if record_id is None else self.record(ev, record_id)
        form = self.form() if request.method == "POST" or record is None else self.form(data=self.data(record))
        self.prepare(ev, form)
        if form.validate_on_submit():
            ok, saved = perform(lambda: self.save(ev, form.data, current_user, record), form=form)
            if ok:
                flash(self.saved(saved), "success")
                return redirect(url_for(self.listing, slug=ev.slug))
        return render_template(self.template, event=ev, form=form, **{self.as_name: record}), _status()

    def delete_page(self, slug: str, record_id: int):
        """Delete a record nothing uses, and go back to the list."""
        ev = _organised_event(slug)
        record = self.record(ev, record_id)
        name = self.name(record)
        ok, _done = perform(lambda: self.delete(record, current_user))
        if ok:
            flash(self.deleted(name), "success")
        return redirect(url_for(self.listing, slug=ev.slug))


def _delegations(ev, form: DirectoryPersonForm) -> None:
    form.delegation.choices = [("", _("None"))] + directory.delegation_choices(ev, g.lang)


ROOMS = RecordPages(
    Room, RoomForm, "manage/room_form.html", "room", "directory.rooms",
    data=lambda room: {"name": room.name, "capacity": room.capacity, "booths": room.booths},
    save=directory.save_room, delete=directory.delete_room, name=str,
    saved=lambda room: _("The room %(name)s is saved.", name=str(room)),
    deleted=lambda name: _("The room %(name)s is deleted.", name=name))

PEOPLE = RecordPages(
    Person, DirectoryPersonForm, "manage/person_form.html", "person", "directory.people",
    data=lambda person: {"name": person.name, "title": person.title, "organisation": person.organisation,
                         "gender": person.gender, "email": person.email,
                         "delegation": str(person.delegation_id or "")},
    save=directory.save_person, delete=directory.delete_person, name=lambda person: person.name,
    saved=lambda person: _("%(name)s is saved in the people directory.", name=person.name),
    deleted=lambda name: _("%(name)s is deleted from the people directory.", name=name),
    prepare=_delegations)


# --- rooms ------------------------------------------------------------------------------------

@bp.get("/rooms")
def rooms(slug: str):
    """The event's room list, with how many sessions use each room."""
    ev = _organised_event(slug)
    return render_template("manage/rooms.html", event=ev, rooms=directory.rooms_of(ev),
                           usage=directory.room_usage(ev))


@bp.route("/rooms/new", methods=["GET", "POST"])
def room_new(slug: str):
    """Add a room to the event."""
    return ROOMS.form_page(slug)


@bp.route("/rooms/<id:room_id>/edit", methods=["GET", "POST"])
def room_edit(slug: str, room_id: int):
    """Rename a room or change its capacity and booths."""
    return ROOMS.form_page(slug, room_id)


@bp.post("/rooms/<id:room_id>/delete")
def room_delete(slug: str, room_id: int):
    """Remove a room no session uses."""
    return ROOMS.delete_page(slug, room_id)


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


@bp.route("/people/new", methods=["GET", "POST"])
def person_new(slug: str):
    """Add a person to the directory."""
    return PEOPLE.form_page(slug)


@bp.route("/people/<id:person_id>/edit", methods=["GET", "POST"])
def person_edit(slug: str, person_id: int):
    """Change a person's name, title, organisation, gender, email or delegation."""
    return PEOPLE.form_page(slug, person_id)


@bp.post("/people/<id:person_id>/delete")
def person_delete(slug: str, person_id: int):
    """Remove a person who is on no session."""
    return PEOPLE.delete_page(slug, person_id)


# --- grid -------------------------------------------------------------------------------------

@bp.get("/grid")
def day_grid(slug: str):
    """One day by room: rooms as columns, quarter hours as rows, clashes marked in words."""
    ev = _organised_event(slug)
    day = grid.pick_day(ev, request.args.get("day"))
    return render_template("manage/grid.html", event=ev, grid=grid.build(ev, day), tz=ev.timezone,
                           KIND_LABELS=KIND_LABELS)
