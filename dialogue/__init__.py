"""dialogue: agenda, delegations and outcome documents of intergovernmental meetings."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g, redirect, url_for

from . import validation
from .config import ROOT, build_config
from .extensions import babel, csrf, db, limiter, login_manager, migrate


def create_app(test_config: dict | None = None) -> Flask:
    """Application factory."""
    instance = Path(os.environ.get("DIALOGUE_INSTANCE", ROOT / "instance"))
    app = Flask(
        __name__,
        instance_path=str(instance),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(build_config(instance))
    if test_config:
        app.config.update(test_config)

    register_proxy_fix(app)
    register_extensions(app)
    from .jobs.engine import init_celery
    init_celery(app)
    register_i18n(app)
    validation.init_app(app)  # the `id` URL converter must exist before the blueprints' routes
    register_blueprints(app)
    register_favicon(app)
    register_errors(app)
    from .actions import register_domain_errors
    register_domain_errors(app)
    register_template_helpers(app)
    register_security_headers(app)
    from .cli import register_commands
    register_commands(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Behind a reverse proxy (PROXY_FIX_X_FOR=1 and friends), take the client's address, scheme and
    host from the X-Forwarded-* headers that many proxies set, so that rate limits count per client
    rather than per proxy. Off by default: then a client's own X-Forwarded-For changes nothing."""
    trusted = {name: int(app.config.get(f"PROXY_FIX_X_{name.upper()}") or 0) for name in ("for", "proto", "host")}
    if any(trusted.values()):
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted["for"], x_proto=trusted["proto"], x_host=trusted["host"])


#: Domain packages beside sessions that plug in models, views (register(app)) and demo data.
DOMAINS = ("delegates", "outcomes")


def domain_modules(name: str) -> list:
    """The `name` module (models, views, demo) of each domain that has one."""
    import importlib
    found = []
    for domain in DOMAINS:
        try:
            found.append(importlib.import_module(f"dialogue.{domain}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"dialogue.{domain}.{name}":
                raise
    return found


def register_extensions(app: Flask) -> None:
    from . import models  # noqa: F401  (registers the cross-domain tables)
    from .sessions import models as session_models  # noqa: F401
    domain_modules("models")
    from .jobs import models as job_models  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    from .auth.session import load_user
    login_manager.user_loader(load_user)
    limiter.init_app(app)
    from . import cache  # noqa: F401  (its limiter filter: served surfaces count against no limit)


    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event as sa_event

        with app.app_context():
            @sa_event.listens_for(db.engine, "connect")
            def _sqlite_pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA foreign_keys=ON")
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA busy_timeout=5000")
                cursor.close()


def register_i18n(app: Flask) -> None:
    """Language from the URL's first part; catalogs compiled on start when a .po is newer."""
    from .i18n import LANGUAGES, best_language, get_locale
    from .translations import compile_catalogs

    compile_catalogs()
    login_manager.localize_callback = None
    babel.init_app(app, locale_selector=get_locale, timezone_selector=lambda: "UTC")

    @app.url_value_preprocessor
    def pull_lang(endpoint, values):
        if app.testing:
            # Test clients reuse the test's app context: start each request with a clean g.
            for name in list(vars(g)):
                delattr(g, name)
            from flask_babel import refresh
            refresh()
        g.lang = None
        if values and "lang" in values:
            lang = values.pop("lang")
            if lang not in LANGUAGES:
                from flask import abort
                abort(404)
            g.lang = lang

    @app.url_defaults
    def add_lang(endpoint, values):
        if "lang" in values or not app.url_map.is_endpoint_expecting(endpoint, "lang"):
            return
        values["lang"] = getattr(g, "lang", None) or get_locale()

    @app.get("/")
    def root():
        return redirect(url_for("sessions.index", lang=best_language()))

    # `/<lang>/` itself is the list of events (sessions.index).


def register_blueprints(app: Flask) -> None:
    from .auth.views import bp as auth_bp
    from .sessions.api import bp as api_bp
    from .sessions.views import bp as sessions_bp
    from .sessions.views import ics_bp, manage_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(manage_bp)
    from .sessions import bin_views
    bin_views.register(app)
    app.register_blueprint(ics_bp)
    from .sessions.directory_views import bp as directory_bp
    app.register_blueprint(directory_bp)
    from .sessions.copy_views import bp as copying_bp
    app.register_blueprint(copying_bp)
    from .sessions import picker_views
    picker_views.register(app)
    # Other domains plug in through `register(app)` in their views module.
    for module in domain_modules("views"):
        module.register(app)
    from .jobs import views as job_views
    job_views.register(app)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)


def register_favicon(app: Flask) -> None:
    """/favicon.ico, which browsers and bots ask for on every site (else a 308 to /favicon.ico/, then a 404)."""
    @app.get("/favicon.ico")
    def favicon():
        """The site's icon (static/favicon.ico; pages also link static/favicon.svg)."""
        from flask import send_from_directory
        return send_from_directory(app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                                   max_age=86400)


def register_errors(app: Flask) -> None:
    """Styled, translated error pages for the site and JSON errors for the API (dialogue/errors.py)."""
    from .errors import init_app
    init_app(app)


def register_template_helpers(app: Flask) -> None:
    from . import formatting
    from .i18n import AUTONYMS, LANGUAGES

    app.jinja_env.globals.update(LANGUAGES=LANGUAGES, AUTONYMS=AUTONYMS, switch_language_url=formatting.switch_language_url)
    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals.update(formatting.GLOBALS)


def register_security_headers(app: Flask) -> None:
    @app.after_request
    def headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'",
        )
        return response
