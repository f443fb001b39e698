"""Jinja filters and globals: translated text, dates and times through Babel."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_datetime_format, get_timezone_name
from flask import request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from .i18n import AUTONYMS, language_name, pick
from .registry import registry


def current_lang() -> str:
    return str(get_locale())


#: Conventions of dates and times per interface language: international English writes
#: "12 December 2022, 18:15", as the UN does, not the US "December 12, 2022, 6:15 PM".
FORMAT_LOCALES = {"en": "en_GB"}


def format_locale() -> str:
    lang = current_lang()
    return FORMAT_LOCALES.get(lang, lang)


def to_zone(value: datetime, tz: str) -> datetime:
    """A naive-UTC datetime from the database, as an aware datetime in `tz`."""
    return value.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))


def tr(value: dict | None, original: str | None = None) -> Markup:
    """Text in the page's language; a fallback is tagged with its language and marked."""
    lang = current_lang()
    picked = pick(value, lang, original)
    if not picked.fallback:
        return escape(picked.text)
    return Markup('<span lang="{0}">{1}</span>').format(picked.lang, picked.text)


def tr_text(value: dict | None, original: str | None = None) -> str:
    """Plain text in the page's language with fallback (for titles, attributes, exports)."""
    return pick(value, current_lang(), original).text


def fallback_lang(value: dict | None, original: str | None = None) -> str | None:
    """The language a fallback is shown in, or None when the text exists in the page's language."""
    picked = pick(value, current_lang(), original)
    return picked.lang if picked.fallback else None


def paragraphs(text: str) -> Markup:
    """Plain text with blank-line paragraphs and "- " bullet lines, escaped, as HTML."""
    out = []
    for block in [b.strip() for b in (text or "").replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
        if all(ln.startswith(("- ", "• ", "* ")) for ln in lines):
            items = "".join(f"<li>{escape(ln[2:].strip())}</li>" for ln in lines)
            out.append(f"<ul>{items}</ul>")
        else:
            out.append("<p>" + "<br>".join(str(escape(ln)) for ln in lines) + "</p>")
    return Markup("".join(out))  # noqa: S704  (each part escaped above)


def fmt_date(value: date, fmt: str = "full") -> str:
    return format_date(value, fmt, locale=format_locale())


def fmt_date_local(value: datetime, tz: str, fmt: str = "full") -> str:
    """The local date of a stored UTC moment in `tz`."""
    return format_date(to_zone(value, tz).date(), fmt, locale=format_locale())


def fmt_time(value: datetime, tz: str) -> str:
    return format_time(to_zone(value, tz), "short", locale=format_locale())


def fmt_datetime(value: datetime, tz: str, fmt: str = "medium") -> str:
    return format_datetime(to_zone(value, tz), fmt, tzinfo=ZoneInfo(tz), locale=format_locale())


def tz_label(tz: str, at: datetime | None = None) -> str:
    """"Central European Time (Zurich)"-style name of a zone, in the page's language."""
    when = to_zone(at, tz) if at else None
    try:
        name = get_timezone_name(when or ZoneInfo(tz), locale=format_locale())
    except Exception:  # Babel lacks names for a few exotic zones
        name = tz
    return name


def tz_abbrev(value: datetime, tz: str) -> str:
    """Short offset like "UTC+01:00" for a moment in a zone."""
    return format_datetime(to_zone(value, tz), "ZZZZ", tzinfo=ZoneInfo(tz), locale=format_locale())


def utc_offset(value: datetime, tz: str) -> str:
    """The zone's offset at that moment, the same in every language: "UTC+01:00", "UTC-05:00", "UTC"."""
    offset = to_zone(value, tz).strftime("%z")
    return "UTC" if offset == "+0000" else f"UTC{offset[:3]}:{offset[3:]}"


def fmt_moment(value: datetime, tz: str, fmt: str = "long") -> str:
    """A stored UTC moment in `tz`, to the minute, with the zone and its offset, as the agenda names it:
    "26 November 2026, 05:50 (Europe/Zurich, UTC+01:00)"."""
    local = to_zone(value, tz)
    when = get_datetime_format(fmt, locale=format_locale()).replace("'", "").format(
        format_time(local, "short", locale=format_locale()), format_date(local.date(), fmt, locale=format_locale()))
    offset = utc_offset(value, tz)
    return f"{when} ({tz})" if tz in ("UTC", "Etc/UTC") else f"{when} ({tz}, {offset})"


def lang_name(code: str) -> str:
    return language_name(code, current_lang())


def switch_language_url(lang: str) -> str:
    """This page in another language, keeping its path and query."""
    if request.endpoint and request.view_args is not None and "lang" not in request.view_args:
        try:
            args = dict(request.view_args)
            args.update(request.args.to_dict(flat=False))  # keeps repeated ?kind=...&kind=...
            return url_for(request.endpoint, lang=lang, **args)
        except Exception:  # noqa: S110  (an endpoint that cannot be built in another language: go home)
            pass
    return url_for("sessions.index", lang=lang)


def page_counter_css() -> Markup:
    """CSS `content` for "Page X of Y" in the page's language, for PDF margin boxes."""
    from flask_babel import gettext
    text = gettext("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    before, _sep, after = text.partition("\x00")
    middle, _sep, end = after.partition("\x01")

    def quote(value: str) -> str:
        return '"' + value.replace("\\", "").replace('"', "") + '"'
    return Markup(f"{quote(before)} counter(page) {quote(middle)} counter(pages) {quote(end)}")  # noqa: S704  (CSS strings quoted by quote())


FILTERS = {
    "tr": tr,
    "tr_text": tr_text,
    "fallback_lang": fallback_lang,
    "paragraphs": paragraphs,
    "fmt_date": fmt_date,
    "fmt_time": fmt_time,
    "fmt_date_local": fmt_date_local,
    "fmt_datetime": fmt_datetime,
    "fmt_moment": fmt_moment,
    "lang_name": lang_name,
}

GLOBALS = {
    "page_counter_css": page_counter_css,
    "current_lang": current_lang,
    "tz_label": tz_label,
    "tz_abbrev": tz_abbrev,
    "to_zone": to_zone,
    "AUTONYMS": AUTONYMS,
}

def extra_manage_links(event) -> list[dict]:
    """The domains' entries in the organisers' menu of `event` (registry(app).manage_links)."""
    return [item for provider in registry().manage_links for item in provider(event)]


GLOBALS["extra_manage_links"] = extra_manage_links

def dashboard_links(user) -> list[dict]:
    """What `user` can work on (their delegation, their sessions' key messages), shown on "My work"."""
    return [item for provider in registry().dashboard_links for item in provider(user)]


GLOBALS["dashboard_links"] = dashboard_links
