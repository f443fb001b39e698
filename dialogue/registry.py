"""What the domains add to an app (menu links, OpenAPI fragments): kept on the app, not the process.

Each domain's `register(app)` fills `registry(app)`; a second `create_app()` in one process (tests,
workers, benchmarks) starts from an empty one, so nothing is added twice.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass
class Registry:
    """Per-app lists and maps that the domains extend when they plug in."""

    #: Callables (event) -> list of {"url", "label"}: the domains' entries in the organisers' menu.
    manage_links: list[Callable] = field(default_factory=list)
    #: Callables (user) -> list of {"url", "label"}: what a signed-in user can work on ("My work").
    dashboard_links: list[Callable] = field(default_factory=list)
    #: Parts of the OpenAPI document that the domains add (paths and component schemas).
    openapi_paths: dict = field(default_factory=dict)
    openapi_schemas: dict = field(default_factory=dict)


def registry(app: Flask | None = None) -> Registry:
    """The registry of `app` (default: the current app), made on first use."""
    app = app or current_app
    return app.extensions.setdefault("dialogue", Registry())
