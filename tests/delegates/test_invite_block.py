"""The one invitation block of the team page (co-organisers) and a delegation's page (focal points):
the same checks, the same transaction, the same message, and a refused form keeps what was typed."""
import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from . import factories as df


def _pages(ev, d):
    return {"team": (f"/en/manage/events/{ev.slug}/team", "", {"language": "en"},
                     "colleague@example.org is invited; the message is in the outbox."),
            "focal point": (f"/en/manage/events/{ev.slug}/delegations/{d.id}/focal-points", "fp-", {},
                            "colleague@example.org is invited as focal point; the message is in the outbox.")}


@pytest.mark.parametrize("page", ["team", "focal point"])
def test_both_pages_invite_the_same_way(app, client, auth, page):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    d = df.delegation(ev)
    auth.login(org.email)
    url, prefix, extra, said = _pages(ev, d)[page]
    sent = client.post(url, data={f"{prefix}email": "Colleague@Example.org", f"{prefix}name": "Ana Colleague", **extra})
    assert sent.status_code == 302
    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert said in shown  # the address as stored (lower case), the same on both pages
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "colleague@example.org"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invite"))


@pytest.mark.parametrize("page", ["team", "focal point"])
def test_a_wrong_address_is_refused_and_the_form_keeps_what_was_typed(app, client, auth, page):
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    d = df.delegation(ev)
    auth.login(org.email)
    url, prefix, extra, _said = _pages(ev, d)[page]
    refused = client.post(url, data={f"{prefix}email": "not an address", f"{prefix}name": "Ana Colleague", **extra})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'value="not an address"' in body and 'value="Ana Colleague"' in body
    assert db.session.scalar(select(OutboxMessage)) is None
