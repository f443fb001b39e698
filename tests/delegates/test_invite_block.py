"""The one invitation block of the team page (co-organisers) and a delegation's page (focal points):
the same checks, the same transaction, the same message, and a refused form keeps what was typed."""
import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry, OutboxMessage

from .. import factories as f
from . import factories as df


@pytest.fixture(params=["team", "focal point"])
def invite_page(request, app, auth):
    """An organiser signed in, and the page whose invitation block is tested: its address, the prefix of
    the block's field names, the page's other fields, and what it says once someone is invited."""
    org = f.user("org@example.org")
    ev = f.event(organiser=org)
    d = df.delegation(ev)
    auth.login(org.email)
    return {"team": (f"/en/manage/events/{ev.slug}/team", "", {"language": "en"},
                     "colleague@example.org is invited; the message is in the outbox."),
            "focal point": (f"/en/manage/events/{ev.slug}/delegations/{d.id}/focal-points", "fp-", {},
                            "colleague@example.org is invited as focal point; the message is in the outbox.")
            }[request.param]


def test_both_pages_invite_the_same_way(client, invite_page):
    url, prefix, extra, said = invite_page
    sent = client.post(url, data={f"{prefix}email": "Colleague@Example.org", f"{prefix}name": "Ana Colleague", **extra})
    assert sent.status_code == 302
    shown = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert said in shown  # the address as stored (lower case), the same on both pages
    assert db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == "colleague@example.org"))
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "user.invite"))


def test_a_wrong_address_is_refused_and_the_form_keeps_what_was_typed(client, invite_page):
    url, prefix, extra, _said = invite_page
    refused = client.post(url, data={f"{prefix}email": "not an address", f"{prefix}name": "Ana Colleague", **extra})
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'value="not an address"' in body and 'value="Ana Colleague"' in body
    assert db.session.scalar(select(OutboxMessage)) is None
