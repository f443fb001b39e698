"""The export of personal details is a job like the other files: made by a worker, only of the ticked
fields, audited, its file seen only by the event's organisers and (for a delegation's export) that
delegation's focal points, and erased with the details."""
from datetime import date, timedelta

from sqlalchemy import func, select

from dialogue.delegates import details
from dialogue.extensions import db
from dialogue.jobs import storage
from dialogue.jobs.models import Job
from dialogue.models import AuditEntry

from .. import factories as f
from ..workers import fetch
from . import factories as df
from .test_details import asking


def world():
    soon = date.today() + timedelta(days=40)
    org = f.user()
    ev = f.event(organiser=org, starts=soon, ends=soon + timedelta(days=3))
    asking(ev)
    peru_fp, peru = df.focal_point(ev, "PE")
    chile_fp, chile = df.focal_point(ev, "CL")
    rosa = df.delegate(peru, "Rosa", "Quispe", status="accredited")
    juan = df.delegate(chile, "Juan", "Soto", status="accredited")
    details.save_details(rosa, {"document_number": "ZX998877", "nationality": "PE", "visa_letter": True}, "en")
    details.save_details(juan, {"document_number": "CL555111", "nationality": "CL"}, "en")
    db.session.commit()
    return ev, org, (peru_fp, peru), (chile_fp, chile)


def test_organiser_export_is_made_by_a_worker_with_only_the_ticked_fields(jobs, app, client, auth):
    ev, org, _peru, _chile = world()
    auth.login(org.email)
    url = f"/en/manage/events/{ev.slug}/personal-data.csv?field=nationality"
    asked = client.get(url)
    assert asked.status_code == 303 and "/en/jobs/" in asked.headers["Location"]  # the progress page, no file yet
    assert "Personal details (CSV)" in client.get(asked.headers["Location"]).get_data(as_text=True)
    body = fetch(client, jobs, url)
    assert body.mimetype == "text/csv"
    assert body.headers["Cache-Control"] == "no-store"  # personal data: no browser or proxy keeps a copy
    text = body.data.decode("utf-8-sig")
    assert "PE" in text and "CL" in text and "ZX998877" not in text and "CL555111" not in text
    spanish = fetch(client, jobs, f"/es/manage/events/{ev.slug}/personal-data.csv?field=visa_letter")
    text = spanish.data.decode("utf-8-sig")
    assert "Carta de apoyo para el visado" in text and "Sí" in text and "PE" not in text
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "personal_data.export")).all()
    assert entries and entries[0].data["fields"] == ["nationality"]


def test_nothing_ticked_exports_nothing(app, client, auth):
    ev, org, _peru, _chile = world()
    auth.login(org.email)
    response = client.get(f"/en/manage/events/{ev.slug}/personal-data.csv", follow_redirects=True)
    assert response.status_code == 200 and "Tick at least one field to export." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_focal_point_exports_their_delegation_and_only_they_and_organisers_see_it(jobs, app, client, auth):
    ev, org, (peru_fp, peru), (chile_fp, chile) = world()
    auth.login(peru_fp.email)
    page = client.get(f"/en/events/{ev.slug}/delegations/{peru.id}/details").get_data(as_text=True)
    assert 'id="personal-export"' in page
    url = f"/en/events/{ev.slug}/delegations/{peru.id}/personal-data.csv?field=document_number"
    job_page = client.get(url).headers["Location"]
    text = fetch(client, jobs, url).data.decode("utf-8-sig")
    assert "ZX998877" in text and "CL555111" not in text  # their own delegation only
    job = db.session.scalar(select(Job).where(Job.kind == "personal_details_csv"))
    auth.logout()
    auth.login(org.email)
    assert client.get(job_page).status_code == 200 and client.get(f"/en/jobs/{job.id}/file").status_code == 200
    event_wide = client.get(f"/en/manage/events/{ev.slug}/personal-data.csv?field=document_number").headers["Location"]
    auth.logout()
    auth.login(chile_fp.email)  # another delegation's focal point: nothing, not even that it exists
    assert client.get(job_page).status_code == 404 and client.get(f"/en/jobs/{job.id}/file").status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(event_wide).status_code == 404
    auth.logout()
    auth.login(peru_fp.email)  # a focal point never sees the organisers' export of the whole event
    assert client.get(event_wide).status_code == 404
    assert client.get(f"/en/manage/events/{ev.slug}/personal-data.csv?field=document_number").status_code == 403


def test_erasure_deletes_the_exported_files_too(jobs, app, client, auth, runner):
    ev, org, _peru, _chile = world()
    auth.login(org.email)
    fetch(client, jobs, f"/en/manage/events/{ev.slug}/personal-data.csv?field=document_number")
    job = db.session.scalar(select(Job).where(Job.kind == "personal_details_csv", Job.status == "done"))
    assert storage.exists(job.sha256)
    sha256 = job.sha256
    done = runner.invoke(args=["personal-data", "erase", "--today", str(ev.ends_on + timedelta(days=30))])
    assert "2 details erased" in done.output, done.output
    db.session.expire_all()
    assert not storage.exists(sha256)
    assert db.session.scalar(select(func.count(Job.id)).where(Job.kind == "personal_details_csv")) == 0
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "personal_data.erase"))
    assert entry.data["files"] == 1
