"""A worker's log shows what matters: no WeasyPrint progress lines, no known-harmless warning a render,
while a real problem in a document's CSS is still logged."""
from __future__ import annotations

import logging

from dialogue.pdf import html_to_pdf

# static/participants.css, as the lists and badges use it; an Arabic name with a Latin salutation in it.
PAGE = '<html lang="ar"><link rel="stylesheet" href="participants.css"><p class="participant" dir="rtl"><span dir="ltr">H.E. Mr.</span> محمد</p>'


def weasyprint_records(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.split(".")[0] == "weasyprint"]


def test_a_render_logs_no_progress_steps_nor_the_unicode_bidi_warning(caplog):
    with caplog.at_level(logging.DEBUG):
        assert html_to_pdf(PAGE).startswith(b"%PDF")
    logged = weasyprint_records(caplog)
    assert not [m for m in logged if m.startswith("Step ")], logged
    assert not [m for m in logged if "unicode-bidi" in m], logged


def test_other_warnings_of_weasyprint_are_still_logged(caplog):
    with caplog.at_level(logging.DEBUG):
        html_to_pdf('<html lang="en"><style>p { colour: red }</style><p>Hello</p>')
    assert any(m.startswith("Ignored `colour:") for m in weasyprint_records(caplog))
