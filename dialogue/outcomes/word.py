"""The outcome document as a Word (DOCX) file, with python-docx, for delegations to negotiate on.

The DOCX is made from the document's HTML rendering (the one the public page shows and the PDF
wraps), so it has the PDF's masthead, title, headings and numbered paragraphs ("1." and a tab), its
typography and its language tags; and a publication made before Word files existed gets its DOCX
from its stored HTML, as it was published (backfill.py). Made by the publication job, never in a
request. Reading a rapporteur's Word file is in word_import.py.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import docx
import lxml.html
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from flask_babel import force_locale
from flask_babel import gettext as _

from . import rendering
from .document import Composition
from .versions import Edition

INDENT = Pt(28)
#: The PDF's page (outcome-pdf.css): A4, margins 25 22 24 22 mm, so the text is as wide.
MARGINS = (Mm(25), Mm(22), Mm(24), Mm(22))
TEXT_WIDTH = Mm(210 - 22 - 22)
#: A list's marker sits this far in from the text it belongs to, its text 18 pt further (as in the PDF).
LIST_INDENT = Pt(18)
_SPACES = re.compile(r"[ \t\r\n]+")


def render_docx(comp: Composition, lang: str, edition: Edition) -> bytes:
    """The outcome document in `lang` as a Word file (same masthead, headings and numbers as the PDF)."""
    html = rendering.render_html(comp, lang, draft=False, edition=edition)
    return docx_from_html(html, lang, mark=edition.mark, issued_on=comp.document.issued_on)


def _has_class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


def _text(root, xpath: str) -> str:
    found = root.xpath(xpath)
    return " ".join(found[0].text_content().split()) if found else ""


def docx_from_html(html: str, lang: str, *, mark: str = "", issued_on: date | None = None) -> bytes:
    """A Word file of the document's HTML rendering in `lang` (the stored one of a publication, or a new one)."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    out = docx.Document()
    _styles(out, lang)
    symbol = _text(root, f"//*[{_has_class('un-symbol')}]")
    title = root.xpath(f"//h1[{_has_class('doc-title')}]")
    props = out.core_properties
    props.title = f"{symbol} · {' '.join(title[0].text_content().split()) if title else ''}"
    props.language, props.subject, props.keywords = lang, symbol, mark
    props.author = props.last_modified_by = "dialogue"
    props.created = props.modified = datetime.combine(issued_on or date(2000, 1, 1), datetime.min.time())
    props.revision = 1

    def line(text: str, *, bold=False, size=None, align=None, italic=False, tight=False):
        p = out.add_paragraph()
        if tight:
            p.paragraph_format.space_after = Pt(0)
        run = p.add_run(text)
        run.bold, run.italic = bold or None, italic or None
        if size:
            run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    _page(out)
    _running_heads(out, symbol, lang)
    top = out.add_paragraph()  # the body's name on the left, the symbol on the right, a thin rule under them
    top.paragraph_format.space_after = Pt(2)
    top.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    for text, size in ((_text(root, f"//*[{_has_class('un-org')}]"), 9), ("\t", None), (symbol, 13)):
        run = top.add_run(text)
        run.bold = True if size else None
        if size:
            run.font.size = Pt(size)
    _rule(top)
    details = [" ".join(p.text_content().split()) for p in root.xpath(f"//*[{_has_class('un-meta')}]/p")]
    for i, text in enumerate(details):
        meta = line(text, size=9, align=WD_ALIGN_PARAGRAPH.RIGHT, tight=i < len(details) - 1)
    if details:
        _rule(meta, size=16, space=4)  # the heavy rule that closes the masthead
    for replaces in root.xpath(f"//p[{_has_class('replaces')}]"):
        line(" ".join(replaces.text_content().split()), italic=True, size=9)
    if title:
        heading = out.add_heading(level=1)
        _runs(heading, title[0], lang, lang, bold=False, italic=False)
    for place in root.xpath(f"//p[{_has_class('place-date')}]"):
        p = out.add_paragraph()
        _runs(p, place, lang, lang, bold=False, italic=True)
    for preamble in root.xpath(f"//div[{_has_class('preamble')}]"):
        _blocks(out, preamble, lang)
    for section in root.xpath(f"//section[{_has_class('part')}]"):
        h2 = section.find("h2")
        heading = out.add_heading(level=2)
        heading.paragraph_format.tab_stops.add_tab_stop(INDENT)  # its title in line with the paragraphs' text
        numeral = _text(h2, f".//span[{_has_class('numeral')}]")
        heading.add_run(f"{numeral}\t")
        for span in h2.xpath(f"./span[not({_has_class('numeral')})]"):
            _runs(heading, span, lang, lang, bold=False, italic=False)
        for para in section.xpath(f"./div[{_has_class('para')}]"):
            number = _text(para, f"./span[{_has_class('num')}]").rstrip(".")
            for body in para.xpath(f"./div[{_has_class('body')}]"):
                _blocks(out, body, lang, number=number)
            for note in para.xpath(f"./p[{_has_class('lang-note')}]"):
                line(" ".join(note.text_content().split()), italic=True, size=9).paragraph_format.left_indent = INDENT
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _styles(out, lang: str) -> None:
    """Times New Roman throughout, black bold headings (not the template's blue theme font), the language set."""
    for name, size in (("Normal", 11), ("Heading 1", 14), ("Heading 2", 12)):
        style = out.styles[name]
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attribute), None)
        style.font.name = "Times New Roman"
        style.font.size = Pt(size)
        if name != "Normal":
            style.font.bold = True
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.paragraph_format.space_before = Pt(12)
            style.paragraph_format.space_after = Pt(6)
    _set_language(out.styles["Normal"].element, lang)


def _page(out) -> None:
    """The PDF's page: A4 and its margins (python-docx's template is US Letter); justified text hyphenated
    (Word and LibreOffice hyphenate by each run's language), as the PDF's is."""
    section = out.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = MARGINS
    section.header_distance = section.footer_distance = Mm(12)
    settings = out.settings.element
    hyphenate = settings.find(qn("w:autoHyphenation"))
    if hyphenate is None:
        hyphenate = OxmlElement("w:autoHyphenation")
        settings.append(hyphenate)
    hyphenate.set(qn("w:val"), "true")


def _running_heads(out, symbol: str, lang: str) -> None:
    """From the second page, the symbol in the header (the first page has the masthead); "Page 2 of 3" at the
    bottom right of every page, in the document's language, as PAGE and NUMPAGES fields that Word and
    LibreOffice fill in (as the PDF's margin boxes)."""
    section = out.sections[0]
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(symbol).font.size = Pt(8)
    with force_locale(lang):
        words = _("Page %(page)s of %(pages)s", page="\x00", pages="\x01")
    for footer in (section.footer, section.first_page_footer):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        for piece in re.split("([\x00\x01])", words):
            if piece in ("\x00", "\x01"):
                _field(paragraph, "PAGE" if piece == "\x00" else "NUMPAGES")
            elif piece:
                paragraph.add_run(piece).font.size = Pt(8)


def _field(paragraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) whose shown value Word and LibreOffice update."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "16")
    props.append(size)
    run.append(props)
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _rule(paragraph, size: int = 6, space: int = 1) -> None:
    """A line under the paragraph, as under the symbol of a United Nations masthead (`size` in eighths of a
    point: 6 the thin rule, 16 the heavy one that closes the masthead)."""
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", str(size)), ("w:space", str(space)), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    paragraph._p.get_or_add_pPr().append(border)


def _block_elements(container):
    """The paragraphs and lists of a body (through the <div lang> that wraps a text in another language)."""
    blocks = [child for child in container if child.tag in ("p", "ul", "ol", "div")]
    if not blocks:
        yield container
        return
    for child in blocks:
        if child.tag == "div":
            yield from _block_elements(child)
        else:
            yield child


def _lang_of(element, default: str) -> str:
    found = element.xpath("ancestor-or-self::*[@lang][1]/@lang")
    return found[0] if found else default


def _blocks(out, container, doc_lang: str, number: str | None = None) -> None:
    """Paragraphs and lists as Word paragraphs: emphasis as italic/bold runs, lists in list styles; the first
    paragraph of a numbered one starts with its number and a tab. Each numbered list starts at 1, and
    lists in a numbered paragraph are indented under its text."""
    first, previous = True, None
    indent = INDENT if number is not None else Pt(0)
    for block in _block_elements(container):
        text_lang = _lang_of(block, doc_lang)
        items = [(li, "List Number" if block.tag == "ol" else "List Bullet") for li in block.iter("li")] \
            if block.tag in ("ul", "ol") else [(block, None)]
        num_id = _new_numbering(out) if block.tag == "ol" else None
        for element, style in items:
            p = out.add_paragraph(style=style) if style else out.add_paragraph()
            if style:
                p.paragraph_format.left_indent = indent + LIST_INDENT + Pt(18)
                p.paragraph_format.first_line_indent = Pt(-18)
                if num_id is not None:
                    _number_with(p, num_id)
            elif number is not None:
                p.paragraph_format.left_indent = indent
                if first:
                    p.paragraph_format.first_line_indent = -INDENT
                    p.add_run(f"{number}.\t")
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _runs(p, element, text_lang, doc_lang, bold=False, italic=False, top=True)
            if number is not None:  # a numbered paragraph stays on one page, its lists with it, as in the PDF
                p.paragraph_format.keep_together = True
                if previous is not None:
                    previous.paragraph_format.keep_with_next = True
                previous = p
            first = False


def _new_numbering(out) -> int:
    """A numbering instance of the "List Number" list that restarts at 1 (Word continues one list otherwise)."""
    numbering = out.part.numbering_part.element
    style_num = out.styles["List Number"].element.pPr.numPr.numId.val
    abstract = numbering.num_having_numId(style_num).abstractNumId.val
    num = numbering.add_num(abstract)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return num.numId


def _number_with(paragraph, num_id: int) -> None:
    props = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    props.get_or_add_ilvl().val = 0
    props.get_or_add_numId().val = num_id


def _runs(p, element, text_lang, doc_lang, bold, italic, top=False) -> None:
    """The text of an HTML element as runs of `p`: <em>/<i> italic, <strong>/<b> bold, <br> a line break."""
    text_lang = element.get("lang") or text_lang
    bold = bold or element.tag in ("strong", "b")
    italic = italic or element.tag in ("em", "i")
    if element.tag == "br":
        p.add_run().add_break()
    elif element.text:
        _styled(p, element.text if not top else element.text.lstrip(), text_lang, doc_lang, bold, italic)
    for child in element:
        _runs(p, child, text_lang, doc_lang, bold, italic)
        if child.tail:
            _styled(p, child.tail, text_lang, doc_lang, bold, italic)


def _styled(p, text, text_lang, doc_lang, bold, italic) -> None:
    text = _SPACES.sub(" ", text)  # the HTML's line breaks and indentation (no-break spaces stay)
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    _language_run(run, text_lang, doc_lang)


def _language_run(run, text_lang: str | None, doc_lang: str) -> None:
    if text_lang and text_lang != doc_lang:
        _set_language(run._r, text_lang)


def _set_language(element, lang: str) -> None:
    """<w:lang w:val="fr"/> in the run (or style) properties: Word's spelling and hyphenation follow it."""
    props = element.get_or_add_rPr()
    tag = props.find(qn("w:lang"))
    if tag is None:
        tag = OxmlElement("w:lang")
        props.append(tag)
    tag.set(qn("w:val"), lang)
