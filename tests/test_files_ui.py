"""What organisers meet around the files workers make: the buttons that ask for them (POST/redirect/GET),
the job page's words, the Files table, the favicon."""
from __future__ import annotations

import re

from sqlalchemy import select

from dialogue.extensions import db
from dialogue.jobs.models import Job

from .delegates import factories as df


def test_a_file_button_answers_see_other_before_and_after_the_file_is_made(app, client, auth, jobs, organiser_event):
    """Pressed before the file exists: 303 to its progress page; pressed again once it exists: 303 to the
    file's address, never the file itself in answer to the POST (a reload would send the form again)."""
    org, ev = organiser_event
    df.delegate(df.delegation(ev, "PE"), "Rosa", "Quispe", status="accredited")
    auth.login(org.email)
    first = client.post(f"/es/manage/events/{ev.slug}/files", data={"kind": "participants_pdf"})
    assert first.status_code == 303 and re.search(r"/es/jobs/\d+$", first.headers["Location"])
    jobs.wait()
    again = client.post(f"/es/manage/events/{ev.slug}/files", data={"kind": "participants_pdf"})
    job = db.session.scalar(select(Job).where(Job.kind == "participants_pdf"))
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/es/jobs/{job.id}/file")
    assert not again.data.startswith(b"%PDF")
    pdf = client.get(again.headers["Location"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_the_download_button_has_the_same_words_from_the_script_and_after_a_reload(app, client, auth, jobs,
                                                                                    organiser_event):
    org, ev = organiser_event
    df.delegate(df.delegation(ev, "PE"), "Rosa", "Quispe", status="accredited")
    auth.login(org.email)
    location = client.post(f"/fr/manage/events/{ev.slug}/files", data={"kind": "participants_csv"}).headers["Location"]
    jobs.wait()
    job = db.session.scalar(select(Job).where(Job.kind == "participants_csv"))
    state = client.get(f"{location}.json").get_json()
    assert state["download_text"] == f"Télécharger ({job.filename})"
    page = client.get(location).get_data(as_text=True)
    button = re.search(r'<p class="job-download">\s*<a class="button" href="([^"]+)">([^<]+)</a>', page)
    assert button.groups() == (state["download"], state["download_text"])


def test_a_job_page_in_another_language_says_the_file_s_language(app, client, auth, jobs, organiser_event):
    org, ev = organiser_event
    df.delegate(df.delegation(ev, "PE"), "Rosa", "Quispe", status="accredited")
    auth.login(org.email)
    location = client.post(f"/fr/manage/events/{ev.slug}/files", data={"kind": "participants_pdf"}).headers["Location"]
    number = re.search(r"/jobs/(\d+)", location).group(1)
    assert "Fichier en" not in client.get(location).get_data(as_text=True)  # the page's own language: nothing to say
    assert "Archivo en francés" in client.get(f"/es/jobs/{number}").get_data(as_text=True)
    assert "File in French" in client.get(f"/en/jobs/{number}").get_data(as_text=True)
    jobs.wait()
    assert "Archivo en francés" in client.get(f"/es/jobs/{number}").get_data(as_text=True)


def test_the_favicon_is_served_and_every_page_links_it(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
    assert icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/fr/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    svg = re.search(r'<link rel="icon" href="([^"]+\.svg)"', page).group(1)
    assert client.get(svg).status_code == 200


def test_a_finished_job_s_bar_is_full_even_if_its_last_count_was_short(app, client, auth, jobs, organiser_event):
    """A participants PDF reports its rows as it goes, and may finish before it reports the last of them."""
    org, ev = organiser_event
    df.delegate(df.delegation(ev, "PE"), "Rosa", "Quispe", status="accredited")
    auth.login(org.email)
    location = client.post(f"/en/manage/events/{ev.slug}/files", data={"kind": "participants_csv"}).headers["Location"]
    jobs.wait()
    job = db.session.scalar(select(Job).where(Job.kind == "participants_csv"))
    job.done, job.total = 0, 6
    db.session.commit()
    page = client.get(location).get_data(as_text=True)
    assert re.search(r'<progress max="6" value="6"', page)
