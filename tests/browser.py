"""Shared pieces for the browser tests: Debian's Chromium, an app served in a thread, axe-core.

One Playwright instance serves the whole run (the `browser` fixture in tests/conftest.py):
Playwright's sync API refuses to start a second instance while another is alive.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@contextmanager
def served(app):
    """Serve a Flask app on a free loopback port in a thread, with a job worker beside it (as
    `verhalenbank serve` starts one on SQLite); yields the base URL."""
    from werkzeug.serving import make_server

    from verhalenbank.core import jobs

    def work() -> None:
        with app.app_context():
            jobs.work(worker="browser-test", poll_seconds=0.2, stop=stop)

    stop = threading.Event()
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        stop.set()
        worker.join(timeout=30)


def serious_axe_violations(page, *, best_practice: bool = False) -> list[dict]:
    """axe-core's serious and critical findings on the current page."""
    if not AXE.exists():
        raise AssertionError("axe-core is missing: run `npm install` in the project root")
    page.add_script_tag(path=str(AXE))
    tags = WCAG + (["best-practice"] if best_practice else [])
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: tags});"
        " return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})); }",
        tags,
    )
    return [violation for violation in result if violation["impact"] in ("serious", "critical")]


def migrated_sqlite_app(data_dir: Path):
    """An app on a migrated SQLite file of its own; CSRF stays on, as a real browser meets it."""
    from verhalenbank.app import create_app
    from verhalenbank.core.migrate import upgrade

    url = f"sqlite:///{data_dir / 'verhalenbank.sqlite3'}"
    upgrade(url)
    return create_app({"data_dir": data_dir, "database_url": url, "secret_key": "browser-test"})


def import_example_trees():
    """Import the three example doelenbomen (inside an app context); returns Lelystad's."""
    from verhalenbank.doelenbomen.operations import import_doelenboom_files

    from tests.support.paths import DOELENBOMEN

    bomen = [boom for boom, _ in import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))]
    return next(boom for boom in bomen if boom.code.startswith("lelystad"))
