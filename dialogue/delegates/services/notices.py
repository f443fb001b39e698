"""Mails to delegates themselves: nominated (with their details link when the event asks), accredited
or rejected, in the delegate's language, through the outbox (sent after the transaction commits)."""
from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from ...i18n import LANGUAGES
from ...mail import send_mail
from ..models import Delegate
from .names import delegation_name


def set_language(delegate: Delegate, by) -> None:
    """A new delegate's mail language: the nominating focal point's, else the event's."""
    if delegate.language in LANGUAGES:
        return
    locale = getattr(by, "locale", None)
    event = delegate.delegation.event
    delegate.language = locale if locale in LANGUAGES else (
        event.original_language if event.original_language in LANGUAGES else "en")


def nominated(delegate: Delegate, by) -> None:
    """Tell a delegate they are nominated, with the link to their details when the event asks for some."""
    from ..details import asked_fields, details_url, mail_language
    from .notify import _event_title
    set_language(delegate, by)
    event = delegate.delegation.event
    lang = mail_language(delegate)
    with force_locale(lang):
        title = _event_title(event, lang)
        values = {"name": f"{delegate.given_name} {delegate.family_name}", "event": title,
                  "delegation": delegation_name(delegate.delegation, lang)}
        subject = _("You are nominated to %(event)s", **values)
        body = _("Hello %(name)s,\n\nThe delegation of %(delegation)s nominated you to %(event)s. The organisers "
                 "will tell you when they have decided on your accreditation.", **values)
        if asked_fields(event):
            body += "\n\n" + _("Please give your personal details on this page (no account needed):\n\n%(url)s",
                               url=details_url(delegate, lang))
    send_mail(delegate.email, subject, body, event)


def decided(delegate: Delegate) -> None:
    """Tell a delegate their accreditation or rejection (with the details link while details are missing)."""
    from ..details import asked_fields, details_of, details_url, mail_language, missing
    from .notify import _event_title
    event = delegate.delegation.event
    lang = mail_language(delegate)
    with force_locale(lang):
        title = _event_title(event, lang)
        values = {"name": f"{delegate.given_name} {delegate.family_name}", "event": title,
                  "delegation": delegation_name(delegate.delegation, lang)}
        if delegate.status == "accredited":
            subject = _("You are accredited to %(event)s", **values)
            body = _("Hello %(name)s,\n\nThe organisers of %(event)s accredited you as a member of the delegation "
                     "of %(delegation)s. Your badge will be ready at the venue.", **values)
            asked = asked_fields(event)
            if asked and missing(details_of(delegate), asked):
                body += "\n\n" + _("Please give your personal details on this page (no account needed):\n\n%(url)s",
                                   url=details_url(delegate, lang))
        else:
            subject = _("Your nomination to %(event)s is not accepted", **values)
            body = _("Hello %(name)s,\n\nThe organisers of %(event)s did not accept your nomination by the "
                     "delegation of %(delegation)s.\n\nReason: %(reason)s\n\nYour focal point can tell you more.",
                     reason=delegate.reason, **values)
    send_mail(delegate.email, subject, body, event)
