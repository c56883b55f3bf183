"""Faults against `verhalenbank serve` (waitress, the default), on SQLite and PostgreSQL.

- The database is unavailable while a resident sends (PostgreSQL refuses connections; the
  SQLite file is locked by another process for longer than the busy timeout): nobody gets the
  thank-you page for a story that was not stored; the phone keeps the story and sends it once
  the database is back, exactly once; the server recovers without a restart.
- The app server's disk is full (the server process may not write any file: RLIMIT_FSIZE 0,
  set from outside with prlimit while it runs): every acknowledged story is in the database,
  nothing is acknowledged that is not; once there is room again the same send succeeds once
  and `verhalenbank reindex` brings the search index level with the database.
"""

from __future__ import annotations

import io
import re
import resource
import sqlite3
import threading
from contextlib import contextmanager

import pytest
import requests
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.support.databases import POSTGRES_URL
from tests.e2e.paginas import Controle, new_page
from tests.e2e.omgeving import Server, omgeving, prepare
from tests.load.belasting import BEDANKT, _csrf_token

pytestmark = pytest.mark.slow

RONDE = "buurtkamer-storing"
# SQLite waits this long for a lock before it gives up (PRAGMA busy_timeout in core/hooks.py).
SQLITE_BUSY_SECONDS = 30
# While the database is held, every transaction waits its turn in the app's SQLite write queue and
# then SQLite's busy timeout: the worker's poll, the form without JavaScript and the phone's send
# may each wait a full timeout in turn before the phone hears "not stored".
WAIT_SECONDS = SQLITE_BUSY_SECONDS * 4 + 60
ZONDER_JS = "Zonder JavaScript verstuurd terwijl de database weg was."


@contextmanager
def database_unavailable(omg):
    """PostgreSQL refuses new connections and drops the open ones; SQLite is held locked."""
    if omg.kind == "sqlite":
        connection = sqlite3.connect(make_url(omg.database_url).database, isolation_level=None, timeout=60)
        connection.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    naam = make_url(omg.database_url).database
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{naam}" WITH ALLOW_CONNECTIONS false'))
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :naam AND pid <> pg_backend_pid()"),
                {"naam": naam},
            )
        yield
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{naam}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()


def _teksten(omg, fragment: str) -> int:
    return omg.scalar(f"SELECT COUNT(*) FROM verhalen WHERE tekst LIKE '%{fragment}%'")


class _OpenForm:
    """The form without JavaScript, opened in a browser-like session: a normal POST, as an
    old phone sends it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()
        pagina = self.session.get(f"{base_url}/r/{RONDE}", timeout=60)
        pagina.raise_for_status()
        self.token = _csrf_token(pagina.text)

    def post(self, tekst: str, sleutel: str, **files) -> requests.Response:
        data = {"csrf_token": self.token, "tekst": tekst, "toestemming": "y", "inzend_sleutel": sleutel}
        return self.session.post(f"{self.base_url}/r/{RONDE}", data=data, files=files or None, timeout=WAIT_SECONDS)


def _acknowledged(antwoord: requests.Response) -> bool:
    return antwoord.status_code == 200 and BEDANKT in antwoord.text and antwoord.url.endswith("/bedankt")


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_database_unavailable_story_waits_on_the_phone_and_arrives_once(kind, tmp_path, browser, monkeypatch):
    # SQLite: the server gives up on the held lock after 5 s instead of the default 30 s; the same
    # path, without a minute of waiting per request.
    monkeypatch.setenv("VERHALENBANK_SQLITE_WACHTTIJD", "5")
    with omgeving(kind, tmp_path) as omg:
        prepare(omg, ronde=RONDE)
        server = Server(omg).start()
        controle = Controle(kind, "storing-database-weg")
        try:
            page = new_page(browser, phone=True)
            page.goto(f"{server.base_url}/r/{RONDE}")
            page.fill("#tekst", "Toen de database even weg was, wachtte mijn verhaal op de telefoon.")
            page.check("#toestemming")
            status = page.locator("#verzendstatus")
            formulier = _OpenForm(server.base_url)

            with database_unavailable(omg):
                zonder_js = {}
                plain = threading.Thread(target=lambda: zonder_js.update(antwoord=formulier.post(ZONDER_JS, "zonder-js-storing-0001")))
                page.click("button[type=submit]")
                plain.start()
                # The send fails on the server (after SQLite's busy timeout): the phone keeps it.
                status.filter(has_text="Nog niet verstuurd").wait_for(timeout=WAIT_SECONDS * 1000)
                controle(page, "nog-niet-verstuurd")
                plain.join(timeout=WAIT_SECONDS)
                antwoord = zonder_js["antwoord"]
                _assert_told_not_saved(antwoord)
                queued = page.evaluate("JSON.parse(localStorage.getItem('verhalenbank:wachtrij'))")
                assert [item["status"] for item in queued] == ["wacht"]

            # Back: the phone's queue sends it (its retry timer, or now), once; no server restart.
            page.evaluate("() => window.verhalenbankWachtrij.verstuur()")
            status.filter(has_text=re.compile(r"^Verstuurd\.")).wait_for(timeout=WAIT_SECONDS * 1000)
            controle(page, "verstuurd-na-storing")
            page.context.close()
            assert _teksten(omg, "wachtte mijn verhaal op de telefoon") == 1
            assert _teksten(omg, "Zonder JavaScript verstuurd") == 0, "refused with an error, so not stored"

            # The resident without JavaScript presses send again: stored once.
            opnieuw = formulier.post(ZONDER_JS, "zonder-js-storing-0001")
            assert _acknowledged(opnieuw)
            assert _teksten(omg, "Zonder JavaScript verstuurd") == 1
        finally:
            server.stop()


def _assert_told_not_saved(antwoord: requests.Response) -> None:
    """503 (the form script queues the story on the phone) with a page saying so in Dutch."""
    assert antwoord.status_code == 503, (antwoord.status_code, antwoord.text[:300])
    assert not _acknowledged(antwoord) and "Dank u wel" not in antwoord.text
    assert "Wat u net verstuurde, is niet bewaard" in antwoord.text
    assert antwoord.headers.get("Retry-After")


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 120, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@contextmanager
def disk_full(pid: int):
    """No file may be written by the server process (as on a full disk: writes fail EFBIG)."""
    _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
    resource.prlimit(pid, resource.RLIMIT_FSIZE, (0, hard))
    try:
        yield
    finally:
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_disk_full_on_the_app_server_acknowledges_only_stored_stories(kind, tmp_path):
    tekst = "Op de dag dat de schijf vol was, stuurde ik dit verhaal met een foto van de buurtkamer."
    sleutel = "schijf-vol-verhaal-0001"
    with omgeving(kind, tmp_path) as omg:
        prepare(omg, ronde=RONDE)
        server = Server(omg).start()
        try:
            formulier = _OpenForm(server.base_url)
            with disk_full(server.process.pid):
                antwoord = formulier.post(tekst, sleutel, foto=("buurtkamer.jpg", _jpeg(), "image/jpeg"))
                opgeslagen = _teksten(omg, "de schijf vol was")
            if _acknowledged(antwoord):
                # The database is elsewhere (PostgreSQL): the story is safe, the resident is
                # told the photo did not make it.
                assert opgeslagen == 1
                assert "Uw foto kon helaas niet worden bewaard" in antwoord.text
            else:
                _assert_told_not_saved(antwoord)
                assert opgeslagen == 0, "not acknowledged, so it must not half-exist either"
            assert (kind == "postgresql") == _acknowledged(antwoord), "SQLite lives on the full disk"

            # Room again: the resident sends again (same key): one story, acknowledged.
            opnieuw = formulier.post(tekst, sleutel, foto=("buurtkamer.jpg", _jpeg(), "image/jpeg"))
            assert _acknowledged(opnieuw), (opnieuw.status_code, opnieuw.text[:300])
            assert _teksten(omg, "de schijf vol was") == 1
            anders = _OpenForm(server.base_url).post("Na het opruimen van de schijf werkte alles weer gewoon.", "schijf-vol-daarna-0001")
            assert _acknowledged(anders)
        finally:
            server.stop()

        omg.run("reindex")
        assert omg.search_index_count() == omg.scalar("SELECT COUNT(*) FROM verhalen") == 2
