from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DOELENBOMEN


def _run(args, data_dir: Path, **env):
    return subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "VERHALENBANK_DATA_DIR": str(data_dir), **env},
    )


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


def test_postgres_database_url_is_used(tmp_path, postgres_url):
    from verhalenbank.config import load_settings

    settings = load_settings({"data_dir": tmp_path, "database_url": "postgresql://postgres@127.0.0.1:5432/test"})
    assert settings.database_url.startswith("postgresql+psycopg://")
    result = _run(["doelenboom", "import", str(DOELENBOMEN / "hoorn-samenleven.yaml")], tmp_path, DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stderr
