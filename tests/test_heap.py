"""After a request that rendered a page, the web process collects its heap once the response is sent and
freezes what survives (dialogue/heap.py); a request served from the cache does neither."""
from __future__ import annotations

import gc

import pytest

from . import factories as f


@pytest.fixture
def settling(app):
    app.config["SETTLE_HEAP"] = True
    gc.unfreeze()
    yield
    app.config["SETTLE_HEAP"] = False
    gc.unfreeze()


def test_a_cold_render_freezes_the_heap_after_its_response_and_a_cached_one_does_not(app, client, settling):
    event = f.event(status="published")
    f.session(event)
    from dialogue.extensions import db
    db.session.commit()
    url = f"/en/events/{event.slug}/"
    assert gc.get_freeze_count() == 0
    with client.get(url) as response:  # rendered: the collection waits until the response is closed
        assert response.status_code == 200
        assert gc.get_freeze_count() == 0
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the app, its modules and caches, the render's survivors
    gc.unfreeze()
    with client.get(url) as response:  # from the cache
        assert response.status_code == 200
    assert gc.get_freeze_count() == 0


def test_settle_heap_off_leaves_the_collector_alone(app, client):
    event = f.event(status="published")
    f.session(event)
    from dialogue.extensions import db
    db.session.commit()
    gc.unfreeze()
    assert client.get(f"/en/events/{event.slug}/").status_code == 200
    assert gc.get_freeze_count() == 0
