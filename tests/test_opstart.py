"""`verhalenbank init` and `verhalenbank serve` (verhalenbank/opstart.py)."""

from __future__ import annotations

from tests.support.cli import run_cli


def test_init_creates_database_and_explains_first_beheerder(tmp_path):
    result = run_cli(["init"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "verhalenbank.sqlite3").exists()
    assert (tmp_path / "secret_key").exists() and oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    assert "verhalenbank gebruiker add EMAIL --rol beheerder" in result.stdout
    result = run_cli(["gebruiker", "add", "admin@gemeente.nl", "--rol", "beheerder"], tmp_path)
    assert result.returncode == 0 and "Wachtwoord" in result.stdout
    assert "Er is nog geen beheerder" not in run_cli(["init"], tmp_path).stdout


def test_serve_refuses_an_uninitialised_database(tmp_path):
    result = run_cli(["serve", "--port", "5999"], tmp_path)
    assert result.returncode == 1
    assert "verhalenbank init" in result.stderr
