"""One tagged PDF from parts rendered apart: pages, one structure tree, outlines and page numbers as artifacts.

A list of 100,000 people is rendered in parts by several workers (WeasyPrint, PDF/UA-1 each); this puts
them together so that the result is still one tagged document. PDF/UA wants one structure tree whose
elements reach every page's marked content: each part's /Document children go under one /Document, the
keys of the parent tree (a page's /StructParents, an annotation's /StructParent) move up by the keys the
earlier parts used, and the catalogue (language, title shown, XMP with the PDF/UA identifier) is the first
part's. QPDF copies a part's objects once per source file, so the pages are copied first and the
structure after, from the same open file: the elements' /Pg then point at the copied pages, not copies
of them. Page numbers, known only here, are drawn over each page as a pagination /Artifact (furniture
that assistive technology skips), line i of a PDF of "Page i of N" lines the caller renders (`overlay_lines`).
"""
from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

#: How page furniture is marked: an artifact of pagination in the footer (ISO 32000-1, 14.8.2.2).
PAGINATION = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
#: Catalogue entries taken from the first part: a document's language, how a viewer shows it, its XMP.
CATALOGUE_KEYS = ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata", "/PageMode", "/PageLayout")


def _number_tree(node) -> Iterator[tuple[int, object]]:
    """The (key, value) pairs of a number tree, in order, whether flat (/Nums) or in /Kids."""
    nums = node.get("/Nums")
    if nums is not None:
        for i in range(0, len(nums), 2):
            yield int(nums[i]), nums[i + 1]
    for kid in node.get("/Kids", ()):
        yield from _number_tree(kid)


def _kids(element) -> list:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


class Merger:
    """Appends tagged parts to one PDF; `save()` writes it. The parts stay open until then (QPDF
    copies stream data when it writes), so a part is read from a file, not kept in memory."""

    def __init__(self):
        self.pdf = pikepdf.new()
        self.root = self.pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot, ParentTree=Dictionary(Nums=Array())))
        self.document = self.pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array(),
                                                          P=self.root))
        self.root.K = Array([self.document])
        self.next_key = 0
        self.parts = 0
        self._open = contextlib.ExitStack()
        self._outline: list[pikepdf.OutlineItem] = []

    def __enter__(self) -> Merger:
        return self

    def __exit__(self, *exc) -> None:
        self._open.close()
        self.pdf.close()

    def append(self, path: str | Path) -> None:
        """Add a part's pages, structure and outline after those of the parts before."""
        source = pikepdf.open(path)
        first_page = len(self.pdf.pages)
        if self.parts == 0:
            self._catalogue(source)
        self.pdf.pages.extend(source.pages)
        offset = self.next_key
        for page in self.pdf.pages[first_page:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", ()):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        tree = source.Root.get("/StructTreeRoot")
        if tree is not None:
            self._structure(source, tree, offset)
        self._outlines(source, first_page)
        _own_streams(self.pdf.pages[first_page:], self.pdf.Root.get("/Metadata"))
        source.close()  # its objects leave memory: a list of 100,000 holds one part's at a time, besides ours
        self.parts += 1

    def _catalogue(self, source) -> None:
        for key in CATALOGUE_KEYS:
            if key in source.Root:
                self.pdf.Root[key] = _copy(self.pdf, source.Root[key])
        for key, value in source.docinfo.items():
            self.pdf.docinfo[key] = _copy(self.pdf, value)

    def _structure(self, source, tree, offset: int) -> None:
        """The part's top elements under our /Document; its parent tree's keys moved up by `offset`."""
        tops = _kids(tree)
        holders = [e for e in tops if isinstance(e, Dictionary) and e.get("/S") == Name.Document]
        for element in tops:  # detached from the part's root, which is not copied
            if isinstance(element, Dictionary) and "/P" in element:
                del element["/P"]
        copied_holders = {self.pdf.copy_foreign(h).objgen for h in holders}
        for element in tops:
            copy = _copy(self.pdf, element)
            if isinstance(element, Dictionary) and element.get("/S") == Name.Document:
                for kid in _kids(copy):
                    self._adopt(kid, copy)
            else:
                self._adopt(copy, None)
        nums = self.root.ParentTree.Nums
        keys = [offset - 1]
        for key, value in _number_tree(tree.get("/ParentTree", Dictionary())):
            value = _copy(self.pdf, value)
            if isinstance(value, Array):  # marked content sat right under the part's /Document
                value = Array([self.document if _is(v, copied_holders) else v for v in value])
            elif _is(value, copied_holders):
                value = self.document
            nums.append(key + offset)
            nums.append(value)
            keys.append(key + offset)
        next_key = tree.get("/ParentTreeNextKey")
        self.next_key = max(int(next_key) + offset if next_key is not None else 0, max(keys) + 1, self.next_key)
        for name in ("/RoleMap", "/ClassMap"):
            if name in tree:
                merged = self.root.get(name) or Dictionary()
                for key, value in _copy(self.pdf, tree[name]).items():
                    if key not in merged:
                        merged[key] = value
                self.root[name] = merged

    def _adopt(self, kid, holder) -> None:
        """A child of a part's /Document becomes a child of ours (marked content ids keep their page)."""
        if isinstance(kid, Dictionary):
            if kid.get("/Type") in (Name.MCR, Name.OBJR) or "/S" not in kid:
                self.document.K.append(kid)
                return
            kid.P = self.document
            self.document.K.append(kid)
        elif holder is not None and "/Pg" in holder:
            self.document.K.append(Dictionary(Type=Name.MCR, Pg=holder.Pg, MCID=kid))

    def _outlines(self, source, first_page: int) -> None:
        """The part's bookmarks after ours; a part's first bookmark with the title of our last one at the
        same level continues it (a category or delegation cut between parts keeps one bookmark)."""
        pages = {page.objgen: i for i, page in enumerate(source.pages)}
        with source.open_outline() as outline:
            items = [self._copy_item(item, pages, first_page) for item in outline.root]
        _continue(self._outline, items)

    def _copy_item(self, item, pages, first_page):
        destination = item.destination
        if destination is None and item.action is not None:
            destination = item.action.get("/D")
        copied = None
        if isinstance(destination, Array) and len(destination) and destination[0].objgen in pages:
            page = self.pdf.pages[first_page + pages[destination[0].objgen]].obj
            copied = Array([page, *destination[1:]])
        new = pikepdf.OutlineItem(item.title, destination=copied)
        new.children.extend(self._copy_item(child, pages, first_page) for child in item.children)
        return new

    def page_count(self) -> int:
        return len(self.pdf.pages)

    def save(self, out) -> None:
        """Write the merged PDF to a file object or path."""
        self.root.ParentTreeNextKey = self.next_key
        self.pdf.Root.StructTreeRoot = self.root
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)
        if self._outline:
            with self.pdf.open_outline() as outline:
                outline.root.extend(self._outline)
        self.pdf.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _copy(pdf, value):
    """A foreign object in `pdf`: indirect ones by QPDF's copier, direct ones through their indirect parts."""
    if isinstance(value, (Dictionary, Array, pikepdf.Stream)):
        if value.is_indirect:
            return pdf.copy_foreign(value)
        if isinstance(value, Dictionary):
            return Dictionary({k: _copy(pdf, v) for k, v in value.items()})
        if isinstance(value, Array):
            return Array([_copy(pdf, v) for v in value])
    return value


#: Keys that lead from a page's objects to other pages or to the structure, not to what the page draws.
_NOT_DRAWN = {"/Parent", "/P", "/Pg", "/Dest", "/A", "/StructParent", "/StructParents"}


def _own_streams(pages, *more) -> None:
    """Give every stream the pages draw (contents, fonts, images) its own copy of its bytes, still
    compressed, so that the part they were copied from can be closed (QPDF reads copied stream data from
    the source when it writes)."""
    seen: set = set()
    todo = [page.obj for page in pages] + [m for m in more if m is not None]
    while todo:
        value = todo.pop()
        if value.is_indirect:
            if value.objgen in seen:
                continue
            seen.add(value.objgen)
        if isinstance(value, pikepdf.Stream):
            value.write(value.read_raw_bytes(), filter=value.get("/Filter"), decode_parms=value.get("/DecodeParms"))
        if isinstance(value, Dictionary) or isinstance(value, pikepdf.Stream):
            todo.extend(v for k, v in value.items() if k not in _NOT_DRAWN and isinstance(v, (Dictionary, Array)))
        elif isinstance(value, Array):
            todo.extend(v for v in value if isinstance(v, (Dictionary, Array)))


def _is(value, objgens: set) -> bool:
    return isinstance(value, Dictionary) and value.is_indirect and value.objgen in objgens


def _continue(ours: list, theirs: list) -> None:
    if ours and theirs and ours[-1].title == theirs[0].title:
        _continue(ours[-1].children, list(theirs[0].children))
        theirs = theirs[1:]
    ours.extend(theirs)


#: Operators that change what text looks like (graphics and text state), kept for each line drawn alone.
_STATE = {"cm", "gs", "w", "rg", "RG", "g", "G", "k", "K", "cs", "CS", "sc", "scn", "SC", "SCN",
          "Tf", "Tc", "Tw", "Tz", "TL", "Ts", "Tr"}
_SHOW = {"TJ", "Tj", "'", '"'}


def text_lines(pdf: pikepdf.Pdf) -> list[tuple[pikepdf.Page, list, list, float]]:
    """Every line of text of `pdf`, in order, as (page, the state operators in force before it, the
    operators inside BT...ET that draw it, its height y).

    For content as WeasyPrint writes it: a line's runs each start with a Tm; a Tm at another height starts
    another line. Anything else (text moved by Td or T*) is refused rather than drawn wrong."""
    lines: list[tuple[pikepdf.Page, list, list, float]] = []
    for page in pdf.pages:
        frames: list[list] = [[]]
        text: list | None = None
        in_text = False
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "q":
                frames.append(list(frames[-1]))
            elif op == "Q":
                frames.pop()
            elif op == "BT":
                in_text, text = True, None
            elif op == "ET":
                in_text = False
            elif op in ("Td", "TD", "T*"):
                raise ValueError(f"text placed by {op}: not a line of its own")
            elif in_text and op == "Tm":
                y = float(operands[5])
                if text is None or lines[-1][3] != y:
                    text = []
                    lines.append((page, list(frames[-1]), text, y))
                text.append((operands, operator))
            elif op in _SHOW:
                if text is None:
                    raise ValueError("text with no Tm before it")
                text.append((operands, operator))
            elif op in _STATE:
                frames[-1].append((operands, operator))
                if in_text and text is not None:
                    text.append((operands, operator))
    return lines


def overlay_lines(merger: Merger, lines_pdf: bytes, baseline: float, start: int = 0) -> int:
    """Draw line i of `lines_pdf` (untagged: "Page i of N" set one a line, aligned as the footer aligns
    it) over page `start` + i of the merged PDF, moved to the height `baseline` (in that PDF's text
    space), as a form XObject marked as a pagination artifact. Laying out a line costs WeasyPrint some
    50 times less than laying out an empty page with a footer. Returns the next page to draw on."""
    pdf = merger.pdf
    source = merger._open.enter_context(pikepdf.open(io.BytesIO(lines_pdf)))
    resources: dict = {}
    page_number = start
    for sheet, state, text, _y in text_lines(source):
        moved = [([*operands[:5], baseline], operator) if str(operator) == "Tm" else (operands, operator)
                 for operands, operator in text]
        content = pikepdf.unparse_content_stream([*state, ([], pikepdf.Operator("BT")), *moved,
                                                  ([], pikepdf.Operator("ET"))])
        if sheet.objgen not in resources:
            found = sheet.obj.Resources
            resources[sheet.objgen] = pdf.copy_foreign(found if found.is_indirect else source.make_indirect(found))
        form = pdf.make_stream(content, Type=Name.XObject, Subtype=Name.Form, BBox=Array(list(sheet.mediabox)),
                               Resources=resources[sheet.objgen])
        page = pdf.pages[page_number]
        name = page.add_resource(form, Name.XObject, prefix="Fn")
        page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
        page.contents_add(pdf.make_stream(b"Q\n" + PAGINATION + b"\nq\n" + str(name).encode() + b" Do\nQ\nEMC\n"))
        page_number += 1
    return page_number
