"""With the database unreachable, every CLI command prints one line, no traceback (issue 16
item 10: it printed about 107 lines)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.paths import PROJECT_ROOT


@pytest.mark.parametrize("opdracht", [["zoek", "buurtkamer"], ["init"], ["opschonen", "--dry-run"], ["verhalen", "export"]])
def test_an_unreachable_database_gives_one_line(tmp_path, opdracht):
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "VERHALENBANK_DATA_DIR": str(tmp_path),
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/bestaat_niet",
    }
    result = subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", *opdracht], env=env, capture_output=True, text=True, timeout=120
    )
    uitvoer = (result.stdout + result.stderr).strip().splitlines()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(uitvoer) == 1, uitvoer
    assert uitvoer[0].startswith("Error: Database error:")
