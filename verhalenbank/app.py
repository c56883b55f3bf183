"""The application factory: wiring only — configuration, extensions, blueprints, hooks."""

from __future__ import annotations

from typing import Any

from flask import Flask

from verhalenbank.config import PACKAGE_DIR, load_settings
from verhalenbank.extensions import csrf, db, login_manager


def _blueprints() -> list:
    # Listed explicitly: the URL map is what this list says, nothing registers itself.
    from verhalenbank.accounts.routes import bp as accounts_bp
    from verhalenbank.api.routes import bp as api_bp
    from verhalenbank.doelenbomen.routes import bp as doelenbomen_bp
    from verhalenbank.media.routes import bp as media_bp
    from verhalenbank.rondes.publiek import bp as publiek_bp
    from verhalenbank.rondes.routes import bp as rondes_bp
    from verhalenbank.start.routes import bp as start_bp
    from verhalenbank.verhalen.routes import avg_bp
    from verhalenbank.verhalen.routes import bp as verhalen_bp
    from verhalenbank.zoeken.routes import bp as zoeken_bp
    from verhalenbank.transcripten.routes import bp as transcripten_bp
    from verhalenbank.pakketten.routes import bp as pakketten_bp
    from verhalenbank.nlp.routes import bp as nlp_bp
    from verhalenbank.waarderen.routes import bp as waarderen_bp

    return [start_bp, accounts_bp, doelenbomen_bp, rondes_bp, verhalen_bp, avg_bp, publiek_bp, media_bp, transcripten_bp, zoeken_bp, pakketten_bp, nlp_bp, waarderen_bp, api_bp]


def _job_kinds() -> list:
    # Listed explicitly, like the blueprints: every kind of background job and its handler.
    # Handlers are "module:function", imported only by a worker that runs such a job.
    from verhalenbank.core.jobs import JobKind
    from verhalenbank.transcripten.taken import TRANSCRIPT_LEZEN
    from verhalenbank.verhalen.verwerking import ANALYSEREN, HERTAGGEN, INDEX_OPSCHONEN, INDEXEREN, LEREN

    kinds = [
        JobKind(ANALYSEREN, "verhalenbank.verhalen.verwerking:analyseer_job", batch=32,
                on_failure="verhalenbank.verhalen.verwerking:analyse_mislukt", label="Verhaal analyseren",
                prepare="verhalenbank.verhalen.verwerking:lees_te_analyseren"),
        JobKind(INDEXEREN, "verhalenbank.verhalen.verwerking:indexeer_job", batch=256,
                label="Verhalen doorzoekbaar maken"),
        # After a tree changed, or the bank grew past a checkpoint: after new stories' analysis.
        JobKind(HERTAGGEN, "verhalenbank.verhalen.verwerking:hertag_job", batch=8, lease_seconds=3600,
                label="Verhalen opnieuw labelen (doelenboom gewijzigd of verhalenbank gegroeid)", achteraan=True),
        # After a review decision: the tree's suggestions learn from it (seconds, not a train run).
        JobKind(LEREN, "verhalenbank.verhalen.verwerking:leer_job", batch=64, lease_seconds=3600,
                label="Voorstellen leren van een beoordeling"),
        # After an erasure: rewrite the index files that still hold the erased words.
        JobKind(INDEX_OPSCHONEN, "verhalenbank.verhalen.verwerking:index_opschonen_job", batch=64,
                label="Gewiste verhalen uit de zoekindex halen"),
        # One transcript per job; a 500-page PDF may take a while, so a long lease.
        JobKind(TRANSCRIPT_LEZEN, "verhalenbank.transcripten.taken:lees_job", batch=1, lease_seconds=3600,
                label="Transcript lezen"),
    ]
    return kinds


def _init_apps() -> list:
    # Listed explicitly, like the blueprints: what each package adds to every app (also the lean
    # one): request hooks, error pages, template globals and filters. In this order: core's int
    # converter before any URL rule, then accounts' authorisation as the first before_request hook.
    from verhalenbank.accounts import autorisatie
    from verhalenbank.core import hooks, templating
    from verhalenbank.verhalen import templating as verhalen_templating

    return [hooks.init_app, autorisatie.init_app, templating.init_app, verhalen_templating.init_app]


def _haken() -> None:
    # Listed explicitly, like the blueprints: where a lower domain lets others take part in what
    # it does. Erasure (verhalen) has the search index (zoeken) purge the erased stories' words
    # from its files.
    from verhalenbank.verhalen.operations import registreer_wis_haak

    registreer_wis_haak(_zoekindex_opschonen)


def _zoekindex_opschonen() -> int:
    # Imported when an erasure purges, so that a command's lean app does not load the search code.
    from verhalenbank.zoeken.operations import purge_search_index

    return purge_search_index()


def create_app(overrides: dict[str, Any] | None = None, *, web: bool = True) -> Flask:
    """The app. `web=False` is the lean app of a CLI command that serves no pages: no URL
    map (no blueprints, so no route module is imported) and no start-up drift check, so a
    command like `verhalenbank zoek` starts in a fraction of the time."""
    from verhalenbank import modellen  # noqa: F401  (all models known to SQLAlchemy)
    from verhalenbank.core import hooks, jobs

    settings = load_settings(overrides)
    app = Flask(
        __name__,
        template_folder=str(PACKAGE_DIR / "templates"),
        static_folder=str(PACKAGE_DIR / "static"),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=hooks.engine_options(settings.database_url),
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.https,
        REMEMBER_COOKIE_SECURE=settings.https,
        WTF_CSRF_TIME_LIMIT=None,  # no time limits on forms (WCAG 2.2.1)
        VERHALENBANK=settings,
    )
    app.config.update((overrides or {}).get("flask", {}))

    db.init_app(app)
    csrf.init_app(app)
    login_manager.init_app(app)
    for init_app in _init_apps():
        init_app(app)
    for kind in _job_kinds():
        jobs.register(kind)
    _haken()
    if not web:
        return app
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    from verhalenbank.zoeken.operations import check_drift_at_startup

    check_drift_at_startup(app)  # logs a warning when index and database differ
    return app
