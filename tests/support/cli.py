"""`verhalenbank …` run as a user runs it: a fresh process with a data folder of its own."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path


def run_cli(args: list[str], data_dir: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "verhalenbank.cli", *args], capture_output=True, text=True, timeout=120,
        env={**os.environ, "VERHALENBANK_DATA_DIR": str(data_dir), **env},
    )


def tabellen(data_dir: Path) -> set[str]:
    """The tables in the data dir's SQLite database (none when it was never migrated)."""
    bestand = data_dir / "verhalenbank.sqlite3"
    if not bestand.exists():
        return set()
    with sqlite3.connect(bestand) as verbinding:
        return {naam for (naam,) in verbinding.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
