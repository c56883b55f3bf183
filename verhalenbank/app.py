"""The application factory: wiring only — configuration, extensions, blueprints, hooks."""

from __future__ import annotations

from typing import Any

from flask import Flask

from verhalenbank.config import PROJECT_ROOT, load_settings
from verhalenbank.extensions import csrf, db, login_manager


def _blueprints() -> list:
    # Listed explicitly: the URL map is what this list says, nothing registers itself.
    from verhalenbank.accounts.routes import bp as accounts_bp
    from verhalenbank.api.routes import bp as api_bp
    from verhalenbank.core.routes import bp as core_bp
    from verhalenbank.doelenbomen.routes import bp as doelenbomen_bp
    from verhalenbank.media.routes import bp as media_bp
    from verhalenbank.rondes.publiek import bp as publiek_bp
    from verhalenbank.rondes.routes import bp as rondes_bp
    from verhalenbank.verhalen.routes import bp as verhalen_bp
    from verhalenbank.zoeken.routes import bp as zoeken_bp
    from verhalenbank.transcripten.routes import bp as transcripten_bp
    from verhalenbank.pakketten.routes import bp as pakketten_bp
    from verhalenbank.nlp.routes import bp as nlp_bp

    return [core_bp, accounts_bp, doelenbomen_bp, rondes_bp, verhalen_bp, publiek_bp, media_bp, transcripten_bp, zoeken_bp, pakketten_bp, nlp_bp, api_bp]


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    from verhalenbank.core import hooks, templating
    from verhalenbank.core import registry  # noqa: F401  (all models known to SQLAlchemy)

    settings = load_settings(overrides)
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
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
    hooks.init_app(app)
    templating.init_app(app)
    for blueprint in _blueprints():
        app.register_blueprint(blueprint)
    from verhalenbank.zoeken.operations import check_drift_at_startup

    check_drift_at_startup(app)  # logs a warning when index and database differ
    return app
