"""Request hooks: database engine settings, security headers, error pages (authorisation is
accounts' own: accounts/autorisatie.py)."""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.routing import IntegerConverter

from verhalenbank.core import limits, sqlite_rij
from verhalenbank.extensions import db

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; worker-src 'self'; manifest-src 'self'"
)


SQLITE_WACHTTIJD_STANDAARD = 30.0


def sqlite_wachttijd() -> float:
    """Seconds a SQLite transaction waits for a lock held outside the app's queue (a backup, the
    sqlite3 shell) before it gives up: VERHALENBANK_SQLITE_WACHTTIJD, 30 by default. The
    resident's form then answers "niet bewaard" and the phone keeps the story."""
    waarde = os.environ.get("VERHALENBANK_SQLITE_WACHTTIJD", "").strip()
    try:
        seconden = float(waarde) if waarde else SQLITE_WACHTTIJD_STANDAARD
    except ValueError:
        return SQLITE_WACHTTIJD_STANDAARD
    return min(max(seconden, 0.1), 600.0)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(sqlite_wachttijd() * 1000)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA secure_delete=ON")  # erased stories must not linger in free pages (AVG)
        cursor.close()
        # pysqlite's own transaction handling starts transactions lazily and deferred, which
        # fails with SQLITE_BUSY when two processes upgrade a read lock to a write lock at
        # once; we begin every transaction ourselves with BEGIN IMMEDIATE (see below).
        dbapi_connection.isolation_level = None


@event.listens_for(Engine, "begin")
def _sqlite_begin_immediate(connection) -> None:
    if connection.dialect.name == "sqlite":
        if sqlite_rij.in_leesverzoek():
            sqlite_rij.begin_lezen(connection)
            return
        # Queue in the kernel rather than in SQLite's busy polling (see core/sqlite_rij.py).
        sqlite_rij.enter(connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            sqlite_rij.leave(connection)
            raise


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _sqlite_transaction_ends(connection) -> None:
    if connection.dialect.name == "sqlite":
        sqlite_rij.einde_lezen(connection)
        sqlite_rij.leave(connection)


_GESCHREVEN = "verhalenbank_geschreven"


@event.listens_for(Session, "after_flush")
def _markeer_geschreven(session, _context) -> None:
    session.info[_GESCHREVEN] = True


@event.listens_for(Session, "after_transaction_end")
def _einde_geschreven(session, transaction) -> None:
    # Only the outer transaction: a savepoint's end leaves the outer one's writes uncommitted.
    if transaction.parent is None:
        session.info.pop(_GESCHREVEN, None)


def heeft_ongecommitteerde_wijzigingen(session) -> bool:
    """Changes pending or flushed in this session's transaction, not yet committed (a rollback
    would lose them)."""
    return bool(session.new or session.dirty or session.deleted or session.info.get(_GESCHREVEN))


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_no_write_when_reading(connection, _cursor, statement, _parameters, _context, _executemany) -> None:
    if connection.dialect.name == "sqlite":
        sqlite_rij.weiger_schrijven(connection, statement)


def _einde_leesverzoek(_error) -> None:
    if sqlite_rij.in_leesverzoek():
        sqlite_rij.einde_leesverzoek(db.session)


def engine_options(database_url: str) -> dict:
    if database_url.startswith("sqlite"):
        return {"connect_args": {"timeout": sqlite_wachttijd(), "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "geolocation=(), microphone=(), camera=(self)")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def _error_page(status: int, titel: str, uitleg: str):
    if request.path.startswith("/api/"):
        return jsonify(fout=uitleg), status
    return render_template("fout.html", status=status, titel=titel, uitleg=uitleg), status


class BegrensdeIntegerConverter(IntegerConverter):
    """`<int:…>` in every URL: only ids that can exist (1 … 2^31 − 1); anything larger is a
    plain 404 instead of an integer overflow in the database (a 500)."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, limits.MAX_ID if max is None else max, signed)


def init_app(app: Flask) -> None:
    # Before any blueprint is registered: the rules are built with this converter.
    app.url_map.converters["int"] = BegrensdeIntegerConverter
    app.after_request(_security_headers)
    app.teardown_request(_einde_leesverzoek)
    app.register_error_handler(
        403, lambda e: _error_page(403, "Geen toegang", "U heeft geen toegang tot deze pagina.")
    )
    app.register_error_handler(
        404, lambda e: _error_page(404, "Niet gevonden", "Deze pagina bestaat niet (meer).")
    )
    app.register_error_handler(
        405, lambda e: _error_page(405, "Niet toegestaan", "Dit kan op deze manier niet.")
    )
    app.register_error_handler(
        413,
        lambda e: _error_page(413, "Bestand te groot", "Het bestand is te groot om te versturen."),
    )
    app.register_error_handler(
        500,
        lambda e: _error_page(
            500, "Er ging iets mis", "Er ging iets mis aan onze kant. Probeer het later nog eens."
        ),
    )
    app.register_error_handler(OperationalError, _database_unavailable)


def _database_unavailable(_error):
    """The database is down, locked or full: say plainly that nothing was saved (a resident
    without JavaScript must not think the story arrived); 503 lets the form script queue it."""
    from verhalenbank.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the session is removed anyway
        pass
    uitleg = "De verhalenbank kan nu even niets bewaren. Probeer het over een paar minuten opnieuw."
    if request.method == "POST":
        uitleg = (
            "De verhalenbank kan nu even niets bewaren. Wat u net verstuurde, is niet bewaard. "
            "Ga terug naar de vorige pagina: uw tekst staat daar meestal nog. Probeer het over een paar minuten opnieuw."
        )
    response = current_app.make_response(_error_page(503, "Even niet bereikbaar", uitleg))
    response.headers["Retry-After"] = "60"
    return response
