"""A finished job's bar is full, also for a job made in one step that counts no items (a delegation's list)."""
from __future__ import annotations

import re

from dialogue.extensions import db
from dialogue.jobs.models import Job

from . import factories as f
from .delegates import factories as df


def test_a_one_step_job_once_done_shows_a_full_bar(client, auth, jobs):
    ev = f.event()
    user, d = df.focal_point(ev, "JP", quota=10)
    df.delegate(d, "María", "López")
    db.session.commit()
    auth.login(user.email)
    job_url = client.post(f"/en/events/{ev.slug}/delegations/{d.id}/files",
                          data={"kind": "delegation_list_csv"}).headers["Location"]
    jobs.wait()
    job = db.session.get(Job, int(re.search(r"/jobs/(\d+)", job_url).group(1)))
    assert (job.status, job.total) == ("done", 0)  # counted nothing: the bar cannot come from done/total
    page = client.get(job_url).get_data(as_text=True)
    bar = re.search(r"<progress[^>]*>", page).group(0)
    assert 'max="1"' in bar and 'value="1"' in bar, bar
