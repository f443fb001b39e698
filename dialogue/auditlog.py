"""The audit log in words, in the reader's language: "María López changed the room of PL2 from Sala A
to Sala B" rather than `session.update session:37`. Works for entries written before the log kept
field-level changes too (they read "changed session PL2")."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from babel import Locale
from flask_babel import get_locale, gettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .extensions import db
from .i18n import LANGUAGE_LABELS, pick
from .labels import EVENT_ROLE_LABELS
from .models import AuditEntry


@dataclass
class Line:
    """One audit entry in words: when, who, and one or more sentences (one per changed field)."""

    entry: AuditEntry
    who: str
    sentences: list[str] = field(default_factory=list)


#: "%(who)s changed the <field> of %(session)s from %(old)s to %(new)s", per field of a session.
SESSION_FIELDS = {
    "code": _l("%(who)s changed the code of session %(old)s to %(new)s"),
    "kind": _l("%(who)s changed the kind of %(session)s from %(old)s to %(new)s"),
    "title": _l("%(who)s changed the title of %(session)s from “%(old)s” to “%(new)s”"),
    "starts_at": _l("%(who)s changed the start of %(session)s from %(old)s to %(new)s"),
    "ends_at": _l("%(who)s changed the end of %(session)s from %(old)s to %(new)s"),
    "room": _l("%(who)s changed the room of %(session)s from %(old)s to %(new)s"),
    "capacity": _l("%(who)s changed the capacity of %(session)s from %(old)s to %(new)s"),
    "interpretation": _l("%(who)s changed the interpretation languages of %(session)s from %(old)s to %(new)s"),
    "status": _l("%(who)s changed the status of %(session)s from %(old)s to %(new)s"),
    "context": _l("%(who)s changed the context of %(session)s from “%(old)s” to “%(new)s”"),
    "purpose": _l("%(who)s changed the purpose of %(session)s from “%(old)s” to “%(new)s”"),
    "objectives": _l("%(who)s changed the objectives of %(session)s from “%(old)s” to “%(new)s”"),
    "expected_results": _l("%(who)s changed the expected results of %(session)s from “%(old)s” to “%(new)s”"),
    "deliverable": _l("%(who)s changed the deliverable of %(session)s from “%(old)s” to “%(new)s”"),
    "people": _l("%(who)s changed the people of %(session)s from %(old)s to %(new)s"),
}
EVENT_FIELDS = {
    "slug": _l("%(who)s changed the address of the event from %(old)s to %(new)s"),
    "title": _l("%(who)s changed the title of the event from “%(old)s” to “%(new)s”"),
    "starts_on": _l("%(who)s changed the first day of the event from %(old)s to %(new)s"),
    "ends_on": _l("%(who)s changed the last day of the event from %(old)s to %(new)s"),
    "timezone": _l("%(who)s changed the time zone of the event from %(old)s to %(new)s"),
}
#: Actions said in one sentence; %(session)s, %(delegate)s, %(delegation)s, %(email)s, %(role)s,
#: %(version)s, %(reason)s and %(comment)s come from the entry.
SENTENCES = {
    "event.create": _l("%(who)s created the event"),
    "event.update": _l("%(who)s changed the details of the event"),
    "event.publish": _l("%(who)s published the event"),
    "event.unpublish": _l("%(who)s unpublished the event: it is hidden from the public"),
    "session.create": _l("%(who)s created session %(session)s"),
    "session.update": _l("%(who)s changed session %(session)s"),
    "session.cancel": _l("%(who)s cancelled session %(session)s"),
    "session.reinstate": _l("%(who)s scheduled session %(session)s again"),
    "session.delete": _l("%(who)s deleted session %(session)s"),
    "session.bin": _l("%(who)s moved session %(session)s to the bin"),
    "session.restore": _l("%(who)s restored session %(session)s from the bin"),
    "delegation.create": _l("%(who)s created the delegation of %(delegation)s"),
    "delegation.update": _l("%(who)s changed the delegation of %(delegation)s"),
    "delegation.focal_point": _l("%(who)s made %(email)s a focal point of %(delegation)s"),
    "delegation.demo": _l("%(who)s loaded the demo delegations"),
    "delegate.nominate": _l("%(who)s nominated %(delegate)s"),
    "delegate.update": _l("%(who)s changed the nomination of %(delegate)s"),
    "delegate.withdraw": _l("%(who)s withdrew the nomination of %(delegate)s"),
    "delegate.accredit": _l("%(who)s accredited %(delegate)s"),
    "delegate.reject": _l("%(who)s rejected the nomination of %(delegate)s (reason: %(reason)s)"),
    "user.invite": _l("%(who)s invited %(email)s as %(role)s"),
    "rapporteur.assign": _l("%(who)s made %(email)s rapporteur of %(session)s"),
    "rapporteur.unassign": _l("%(who)s removed %(email)s as rapporteur of %(session)s"),
    "key_message.create": _l("%(who)s wrote a key message of %(session)s"),
    "key_message.edit": _l("%(who)s edited a key message of %(session)s"),
    "key_message.submit": _l("%(who)s submitted a key message of %(session)s for review"),
    "key_message.approve": _l("%(who)s approved a key message of %(session)s"),
    "key_message.return": _l("%(who)s returned a key message of %(session)s to its rapporteur: %(comment)s"),
    "key_message.delete": _l("%(who)s deleted a key message"),
    "outcome.save": _l("%(who)s saved the outcome document"),
    "outcome.original_only": _l("%(who)s chose the parts of the outcome document kept in their original language"),
    "outcome.publish": _l("%(who)s published version %(version)s of the outcome document"),
    "outcome.themes": _l("%(who)s set the themes of the outcome document"),
    "user.locked": _l("The account %(who)s was locked after repeated wrong passwords"),
    "user.reset_requested": _l("%(who)s asked for a new password"),
    "user.sign_in_link": _l("%(who)s signed in with a mailed link"),
}
STATUS_WORDS = {"scheduled": _l("scheduled"), "cancelled": _l("cancelled")}


def _lang() -> str:
    return str(get_locale())


def _short(text, limit: int = 80) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class Names:
    """The names behind the entries' targets ("session:37" → "PL2"), one query per kind of target."""

    def __init__(self, entries: list[AuditEntry]):
        ids: dict[str, set[int]] = {}
        for e in entries:
            kind, _sep, raw = (e.target or "").partition(":")
            if raw.isdigit():
                ids.setdefault(kind, set()).add(int(raw))
        self.sessions, self.delegates, self.delegations, self.messages = {}, {}, {}, {}
        if ids.get("session"):
            from .sessions.models import MeetingSession
            self.sessions = dict(db.session.execute(select(MeetingSession.id, MeetingSession.code)
                                                    .where(MeetingSession.id.in_(ids["session"]))).all())
        if ids.get("delegate") or ids.get("delegation"):
            from .delegates.models import Delegate, Delegation
            for d in db.session.execute(select(Delegate.id, Delegate.given_name, Delegate.family_name,
                                               Delegate.delegation_id)
                                        .where(Delegate.id.in_(ids.get("delegate") or {0}))):
                self.delegates[d.id] = f"{d.given_name} {d.family_name}"
            wanted = set(ids.get("delegation") or ()) | {e.data.get("delegation") for e in entries
                                                         if isinstance(e.data.get("delegation"), int)}
            self.delegations = {d.id: (d.country, d.name) for d in db.session.execute(
                select(Delegation.id, Delegation.country, Delegation.name).where(Delegation.id.in_(wanted or {0})))}
        if ids.get("key_message"):
            from .outcomes.models import KeyMessage
            from .sessions.models import MeetingSession
            self.messages = dict(db.session.execute(
                select(KeyMessage.id, MeetingSession.code).join(MeetingSession, KeyMessage.session_id == MeetingSession.id)
                .where(KeyMessage.id.in_(ids["key_message"]))).all())

    def delegation(self, delegation_id) -> str:
        country, name = self.delegations.get(delegation_id, (None, ""))
        if country:
            return Locale.parse(_lang()).territories.get(country, country)
        return name or gettext("a delegation that no longer exists")


def _who(entry: AuditEntry) -> str:
    if entry.user is None:
        return gettext("The system")
    return entry.user.name or entry.user.email


def _value(name: str, value, event) -> str:
    """A field's old or new value as a reader sees it."""
    from .formatting import fmt_date_local, fmt_time
    from .sessions.labels import KIND_LABELS, PERSON_ROLE_LABELS
    if value in (None, "", [], {}):
        return "—"
    if name in ("starts_at", "ends_at"):
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return str(value)
        return gettext("%(date)s, %(start)s", date=fmt_date_local(moment, event.timezone, "medium"),
                       start=fmt_time(moment, event.timezone))
    if name in ("starts_on", "ends_on"):
        from .formatting import fmt_date
        try:
            return fmt_date(datetime.fromisoformat(value).date(), "long")
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, dict):
        return _short(pick(value, _lang()).text)
    if name == "kind":
        return str(KIND_LABELS.get(value, value))
    if name == "status":
        return str(STATUS_WORDS.get(value, value))
    if name == "interpretation":
        return ", ".join(str(LANGUAGE_LABELS.get(v, v)) for v in value)
    if name == "people":
        return _short("; ".join(f"{p[1]} ({PERSON_ROLE_LABELS.get(p[0], p[0])})" for p in value), 160)
    return _short(value)


def describe(entry: AuditEntry, event, names: Names) -> Line:
    """One entry in words, in the current language."""
    who = _who(entry)
    data = entry.data or {}
    kind, _sep, raw = (entry.target or "").partition(":")
    target_id = int(raw) if raw.isdigit() else None
    looked_up = {"session": names.sessions, "key_message": names.messages}.get(kind, {}).get(target_id)
    session = data.get("code") or looked_up or "—"
    if entry.action == "session.update" and data.get("code") and "code" in (data.get("changes") or {}):
        session = data["changes"]["code"][1]
    values = {
        "who": who, "session": session, "email": data.get("email", ""),
        "delegate": names.delegates.get(target_id, gettext("a delegate no longer listed")) if kind == "delegate" else "",
        "delegation": names.delegation(target_id if kind == "delegation" else data.get("delegation")),
        "role": str(EVENT_ROLE_LABELS.get(data.get("role"), data.get("role", ""))),
        "version": data.get("version", ""), "reason": data.get("reason") or "—", "comment": data.get("comment") or "—",
    }
    line = Line(entry, who)
    changes = data.get("changes") or {}
    fields = SESSION_FIELDS if entry.action.startswith("session.") else EVENT_FIELDS
    for name, pair in changes.items():
        if name in fields and isinstance(pair, list) and len(pair) == 2:
            line.sentences.append(str(fields[name]) % {
                **values, "old": _value(name, pair[0], event), "new": _value(name, pair[1], event)})
    if line.sentences:
        return line
    if entry.action == "delegate.import":
        line.sentences.append(ngettext("%(who)s imported %(num)d delegate into the delegation of %(delegation)s",
                                       "%(who)s imported %(num)d delegates into the delegation of %(delegation)s",
                                       int(data.get("rows") or 0), who=who, delegation=values["delegation"]))
    elif entry.action in SENTENCES:
        line.sentences.append(str(SENTENCES[entry.action]) % values)
    else:
        line.sentences.append(gettext("%(who)s made a change the log cannot describe (%(action)s)",
                                      who=who, action=entry.action))
    return line


def describe_all(entries: list[AuditEntry], event) -> list[Line]:
    """Entries in words, looking up the names they point to in a fixed number of queries."""
    names = Names(entries)
    return [describe(e, event, names) for e in entries]
