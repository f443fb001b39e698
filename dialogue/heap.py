"""A web process's heap after a cold render: collected once the response is sent, then frozen.

A full collection of a web worker's heap (the app, its caches, an event of 1,000 sessions and the order of
2,500 delegations) scans every object it holds: 230-290 ms measured on the COP event (bench/README.md, "p99
under load"). CPython runs one whenever the long-lived objects have grown by a quarter, which after the
renders of a cold worker comes soon, on whatever request is being served: the stall of the p99 bench's first
round. A request that rendered something (the cold path, slow anyway) now collects once after its response
has been sent (`call_on_close`) and freezes what survives (`gc.freeze`): later full collections scan only the
objects made since, and frozen objects still die by reference counting. Before collecting it unfreezes, so
that frozen objects that have since become cyclic garbage are collected then. SETTLE_HEAP=0 turns it off.
"""
from __future__ import annotations

import gc

from flask import after_this_request, current_app, g, has_request_context


def settle_after_response() -> None:
    """Ask for one settle() after this request's response has been sent (once per request)."""
    if not has_request_context() or not current_app.config.get("SETTLE_HEAP") or g.get("_settle_heap"):
        return
    g._settle_heap = True

    @after_this_request
    def _later(response):
        response.call_on_close(settle)
        return response


def settle() -> None:
    """Collect the whole heap once, then freeze what survives."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
