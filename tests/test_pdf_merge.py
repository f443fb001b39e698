"""pdf_merge on its own: tagged parts with links become one tagged PDF whose links still find their structure
elements, and page numbers drawn over the pages pass the checker only because they are marked as artifacts."""
from __future__ import annotations

import io
import subprocess
import sys

import pikepdf
from weasyprint import HTML

from dialogue.pdf import html_to_pdf
from dialogue.pdf_merge import Merger, overlay_lines, text_lines


def part(name: str, lines: int) -> bytes:
    body = "".join(f'<p>{name} line {i} <a href="https://example.org/{name}/{i}">site {name}{i}</a></p>'
                   for i in range(lines))
    return html_to_pdf(f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Merged</title></head>'
                       f"<body><h1>{name}</h1>{body}</body></html>")


def numbers(total: int) -> bytes:
    """"Page i of N", one a line, untagged."""
    lines = "".join(f"<p>Page {i} of {total}</p>" for i in range(1, total + 1))
    return HTML(string=f"<html><body>{lines}</body></html>").write_pdf()


def merged(tmp_path, marked: bool = True) -> bytes:
    paths = []
    for name, lines in (("alpha", 70), ("beta", 3), ("gamma", 40)):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(part(name, lines))
        paths.append(path)
    out = io.BytesIO()
    with Merger() as merger:
        for path in paths:
            merger.append(path)
        lines = numbers(merger.page_count())
        if marked:
            assert overlay_lines(merger, lines, baseline=1080) == merger.page_count()
        else:  # the same words, drawn with no marking
            furniture = pikepdf.open(io.BytesIO(lines))
            for page in merger.pdf.pages:
                page.add_overlay(furniture.pages[0])
        merger.save(out)
    return out.getvalue()


def test_links_of_every_part_find_their_structure_elements(tmp_path, pdfua):
    pdf = merged(tmp_path)
    pdfua("merged", pdf)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        nums = document.Root.StructTreeRoot.ParentTree.Nums
        tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        links = [(page, annotation) for page in document.pages for annotation in page.obj.get("/Annots", ())]
        assert len(links) == 113
        assert len({int(a.StructParent) for _p, a in links}) == 113  # renumbered: no two share a key
        for page, annotation in links:
            element = tree[int(annotation.StructParent)]
            assert element.S == "/Link"
            objr = [k for k in element.K if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]
            assert objr[0].Obj.objgen == annotation.objgen and objr[0].Pg.objgen == page.objgen
        assert all(int(page.obj.StructParents) in tree for page in document.pages)
        assert int(document.Root.StructTreeRoot.ParentTreeNextKey) == max(tree) + 1
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    total = text.count("\f")
    assert [f"Page {i} of {total}" in text for i in range(1, total + 1)] == [True] * total
    assert text.index("alpha line 69") < text.index("beta line 0") < text.index("gamma line 0")


def test_each_line_of_text_is_found_in_order_with_its_height():
    with pikepdf.open(io.BytesIO(numbers(120))) as pdf:
        lines = text_lines(pdf)
    assert len(lines) == 120
    heights = [y for page, _state, _text, y in lines if page.index == 0]
    assert heights == sorted(heights) and len(set(heights)) == len(heights)


def test_page_numbers_not_marked_as_artifacts_fail_the_checker(tmp_path):
    path = tmp_path / "unmarked.pdf"
    path.write_bytes(merged(tmp_path, marked=False))
    checked = subprocess.run([sys.executable, "-m", "pdfua", "check", str(path)], capture_output=True, text=True)
    assert checked.returncode != 0 and "UA-01-003" in checked.stdout
