"""The lists of participants as PDFs rendered in parts by several workers, then put together as one tagged PDF.

A COP's list (100,000 people, some 4,000 pages) in one WeasyPrint call takes one worker many minutes and
gigabytes. So the list is cut, in its printed order, into parts of about `LIST_PER_CHUNK` people made of
whole delegations; a delegation larger than a part (COP28's largest held 4,409) is cut at part boundaries,
its later parts headed "Name (continued)". Each part reads only its own delegations' people and is
rendered with the list's own template; `dialogue.pdf_merge` puts the parts together with one structure tree
and one outline, and draws "Page i of N", which only the whole knows, on every page as an artifact.
Each part starts on a new page: a few part-filled pages in a list of thousands.
"""
from __future__ import annotations

import io
import tempfile
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from weasyprint import HTML

from ..extensions import db
from ..jobs.kinds import Output
from ..pdf import BASE_URL, SafeFetcher, _font_config, render_pdf
from ..pdf_merge import Merger, overlay_lines, text_lines
from .models import DELEGATION_KINDS, Delegate
from .queries import delegations_with_counts
from .services.listing import person_key

#: Default of the LIST_PER_CHUNK setting: people a part of a list PDF holds at most (some 10 s of one worker).
LIST_PER_CHUNK = 3000
#: Without a LIST_PER_CHUNK setting, a list is cut into at least this many parts (of at least LIST_MIN_CHUNK
#: people), so that a list of 10,000 keeps two workers busy to the end rather than leaving one part to one.
LIST_CHUNKS = 16
LIST_MIN_CHUNK = 500
#: Delegations named in a failed part's message.
NAMED = 3


@dataclass
class Listed:
    """One delegation's people in a part; `continued` when its first people are in an earlier part."""

    id: int
    name: str
    people: list
    continued: bool = False


@dataclass
class Group:
    """The delegations of one kind in a part; `continued` when its heading is in an earlier part."""

    kind: str
    continued: bool = False
    delegations: list[Listed] = field(default_factory=list)


@dataclass
class Part:
    """Which part of the list a render is: the first carries the masthead; the others repeat its title
    for the page's running head and the bookmarks (`title`)."""

    first: bool
    title: str


def plan_parts(job, conditions: tuple, per_chunk: int | None) -> list[tuple[dict, int]]:
    """The list's delegations in order with their counts (one query, two after the delegations changed),
    packed into chunks of at most `per_chunk` people (by default from the list's size): whole delegations,
    a larger one in slices."""
    order = [d for d in delegations_with_counts(job.event, job.language, "accredited", "", conditions)
             if d.count and d.kind in DELEGATION_KINDS]
    per_chunk = per_chunk or min(LIST_PER_CHUNK, max(LIST_MIN_CHUNK, -(-sum(d.count for d in order) // LIST_CHUNKS)))
    chunks: list[tuple[dict, int]] = []
    current: list[dict] = []
    size = 0

    def close():
        nonlocal current, size
        if current:
            after = chunks[-1][0]["parts"][-1]["kind"] if chunks else None
            chunks.append(({"first": not chunks, "after": after, "parts": current}, size))
        current, size = [], 0
    for d in order:
        if current and size + d.count > per_chunk:
            close()
        for offset in range(0, d.count, per_chunk):
            if offset:
                close()
            count = min(per_chunk, d.count - offset)
            current.append({"id": d.id, "kind": d.kind, "name": d.name, "offset": offset, "count": count,
                            "whole": count == d.count})
            size += count
    close()
    return chunks


def part_people(parts: list[dict], lang: str, columns: tuple, conditions: tuple) -> dict[int, list]:
    """The people of a part's delegations in the list's order, by delegation id: one query for the whole
    delegations, two for a slice of a large one (its sort keys, then the rows of its slice)."""
    accredited = (Delegate.status == "accredited", *conditions)
    key = person_key(lang)
    found: dict[int, list] = {p["id"]: [] for p in parts}
    whole = [p["id"] for p in parts if p["whole"]]
    if whole:
        for row in db.session.execute(select(*columns).where(Delegate.delegation_id.in_(whole), *accredited)):
            found[row.delegation_id].append(row)
        for i in whole:
            found[i].sort(key=key)
    for p in parts:
        if p["whole"]:
            continue
        keys = db.session.execute(select(Delegate.id, Delegate.role, Delegate.family_name, Delegate.given_name)
                                  .where(Delegate.delegation_id == p["id"], *accredited)).all()
        keys.sort(key=key)
        wanted = [k.id for k in keys[p["offset"]:p["offset"] + p["count"]]]
        rows = {row.id: row for row in db.session.execute(select(*columns).where(Delegate.id.in_(wanted), *accredited))}
        found[p["id"]] = [rows[i] for i in wanted if i in rows]
    return found


def part_groups(params: dict, people: dict[int, list]) -> list[Group]:
    groups: list[Group] = []
    for p in params["parts"]:
        if not groups or groups[-1].kind != p["kind"]:
            groups.append(Group(p["kind"], continued=not groups and params.get("after") == p["kind"]))
        groups[-1].delegations.append(Listed(p["id"], p["name"], people[p["id"]], continued=p["offset"] > 0))
    return groups


class ListPDF(ABC):
    """A list PDF made in chunks (mixed into a JobKind): a subclass says which template, columns and
    conditions, what the template needs (`context`) and the list's title (`heading`)."""

    chunked = True
    template = ""
    columns: tuple = ()
    #: "list of participants" or the like, for the file name.
    file_stem = ""

    def conditions(self, job) -> tuple:
        """Conditions on the delegates listed (the organisers' list of delegations in order only)."""
        return ()

    def context(self, job) -> dict:
        return {}

    @abstractmethod
    def heading(self, job) -> str:
        """The list's title, translated: the masthead of the first part and the running head of every page."""

    def plan(self, job):
        setting = current_app.config.get("LIST_PER_CHUNK")
        return plan_parts(job, self.conditions(job), max(1, int(setting)) if setting else None)

    def describe_chunk(self, job, params):
        """"participants of Peru, Chile": the first delegations of a part, for its failure message."""
        names = list(dict.fromkeys(p["name"] for p in params.get("parts", ())))
        if not names:
            return None
        shown = ", ".join(names[:NAMED]) + (", …" if len(names) > NAMED else "")
        return _("participants of %(names)s", names=shown)

    def make_chunk(self, job, params) -> bytes:
        """This part of the list as a tagged PDF, with no page numbers (the whole has them)."""
        people = part_people(params["parts"], job.language, self.columns, self.conditions(job))
        return render_pdf(self.template, job.language, event=job.event, groups=part_groups(params, people),
                          part=Part(params.get("first", True), self.heading(job)), **self.context(job))

    def assemble(self, job, parts) -> Output:
        """The parts' PDFs, read one at a time from storage into files, merged, numbered."""
        out = tempfile.TemporaryFile()
        with tempfile.TemporaryDirectory() as tmp, Merger() as merger:
            for position in range(len(parts) or 1):
                body = parts[position][1] if parts else self.make_chunk(job, {"first": True, "parts": []})
                path = Path(tmp) / f"{position}.pdf"
                path.write_bytes(body)
                del body
                merger.append(path)
            overlay_lines(merger, *page_numbers(job, self.heading(job), merger.page_count()))
            merger.save(out)
        return Output(f"{job.event.slug}-{self.file_stem}-{job.language}.pdf", "application/pdf", stream=out)


def page_numbers(job, title: str, total: int) -> tuple[bytes, float]:
    """"Page i of N" for i = 1..N, one a line, aligned as the list's footer aligns it (untagged: the merge
    marks them as artifacts), and the height of that footer's line, measured on one page with the footer."""
    with force_locale(job.language):
        rows = render_template("pdf/page_number_rows.html", lang=job.language, title=title,
                               numbers=range(1, total + 1), total=total)
        footer = render_template("pdf/page_numbers.html", lang=job.language, title=title, numbers=[total], total=total)
    rows_pdf, footer_pdf = _untagged(rows), _untagged(footer)
    with pikepdf.open(io.BytesIO(footer_pdf)) as one, pikepdf.open(io.BytesIO(rows_pdf)) as many:
        [(_page, _state, text, baseline)] = text_lines(one)
        last = text_lines(many)[-1][2]
        if abs(float(text[0][0][4]) - float(last[0][0][4])) > 0.01:  # "Page N of N" starts at the same x in both
            raise ValueError("the page numbers are not aligned as the footer")
    return rows_pdf, baseline


def _untagged(html: str) -> bytes:
    return HTML(string=html, base_url=BASE_URL, url_fetcher=SafeFetcher()).write_pdf(font_config=_font_config())
