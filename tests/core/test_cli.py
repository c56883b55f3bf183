from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import DOELENBOMEN


def _run(args, data_dir: Path, **env):
    return subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "VERHALENBANK_DATA_DIR": str(data_dir), **env},
    )


def _tabellen(data_dir: Path) -> set[str]:
    """The tables in the data dir's SQLite database (none when it was never migrated)."""
    import sqlite3

    bestand = data_dir / "verhalenbank.sqlite3"
    if not bestand.exists():
        return set()
    with sqlite3.connect(bestand) as verbinding:
        return {naam for (naam,) in verbinding.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_init_creates_database_and_explains_first_beheerder(tmp_path):
    result = _run(["init"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "verhalenbank.sqlite3").exists()
    assert (tmp_path / "secret_key").exists() and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert "verhalenbank gebruiker add EMAIL --rol beheerder" in result.stdout
    result = _run(["gebruiker", "add", "admin@gemeente.nl", "--rol", "beheerder"], tmp_path)
    assert result.returncode == 0 and "Wachtwoord" in result.stdout
    assert "Er is nog geen beheerder" not in _run(["init"], tmp_path).stdout


def test_user_errors_are_one_line_without_traceback(tmp_path):
    _run(["init"], tmp_path)
    for args in (
        ["doelenboom", "import", str(tmp_path / "bestaat-niet.yaml")],
        ["doelenboom", "export", "onbekend"],
        ["verhalen", "import", str(tmp_path / "niets.jsonl")],
        ["gebruiker", "add", "geen-email", "--rol", "beheerder"],
        ["gebruiker", "add", "a@b.nl", "--rol", "aanbieder"],
    ):
        result = _run(args, tmp_path)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr + result.stdout, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_serve_refuses_an_uninitialised_database(tmp_path):
    result = _run(["serve", "--port", "5999"], tmp_path)
    assert result.returncode == 1
    assert "verhalenbank init" in result.stderr


def test_postgres_database_url_is_used(tmp_path, migrated_postgres):
    from tests.support.databases import truncate_all

    truncate_all(migrated_postgres)
    postgres_url = migrated_postgres.url.render_as_string(hide_password=False)
    from verhalenbank.config import load_settings

    settings = load_settings({"data_dir": tmp_path, "database_url": "postgresql://postgres@127.0.0.1:5432/test"})
    assert settings.database_url.startswith("postgresql+psycopg://")
    result = _run(["doelenboom", "import", str(DOELENBOMEN / "hoorn-samenleven.yaml")], tmp_path, DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stderr


def test_demo_on_a_busy_port_says_which_port_and_how_to_choose_another(tmp_path):
    import socket

    with socket.socket() as bezet:
        bezet.bind(("127.0.0.1", 0))
        bezet.listen()
        port = bezet.getsockname()[1]
        result = _run(["demo", "--port", str(port)], tmp_path)
    assert result.returncode != 0
    uitvoer = result.stdout + result.stderr
    assert "draait op" not in uitvoer and "Traceback" not in uitvoer
    assert result.stderr.strip().splitlines() == [
        f"Error: Poort {port} op 127.0.0.1 is al in gebruik. Kies een andere poort: "
        f"make demo PORT={port + 1} (of verhalenbank demo/serve --port {port + 1})."
    ]
    assert _tabellen(tmp_path) == set()  # nothing was prepared


def test_demo_without_a_spacy_model_stops_before_storing_anything(tmp_path):
    result = _run(["demo", "--no-serve"], tmp_path, VERHALENBANK_SPACY_MODEL=str(tmp_path / "geen-model"))
    assert result.returncode != 0
    assert "opgeslagen" not in result.stdout and "Traceback" not in result.stdout + result.stderr
    regels = result.stderr.strip().splitlines()
    assert len(regels) == 1, regels
    assert "VERHALENBANK_SPACY_MODEL" in regels[0] and "python -m spacy download nl_core_news_sm" in regels[0]
    assert _tabellen(tmp_path) == set()  # no story stored, nothing half-made
