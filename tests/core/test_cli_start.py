"""Commands and the web app start without the heavy libraries (issue 17, item 3).

spaCy, scikit-learn and WeasyPrint take seconds and 100+ MB to import; only analysis,
training/tagging/themes and PDF making may load them, inside the functions that need them.
Each check runs in a fresh interpreter, so modules imported by other tests can't hide a leak.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import click
import pytest

HEAVY = ("spacy", "sklearn", "weasyprint", "thinc")


def _modules_after(code: str, tmp_path) -> dict:
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=180,
        env={**os.environ, "VERHALENBANK_DATA_DIR": str(tmp_path), "DATABASE_URL": ""},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_import_cli_loads_no_heavy_library(tmp_path):
    loaded = _modules_after("import verhalenbank.cli", tmp_path)
    assert not any(loaded.values()), loaded


def test_every_command_module_loads_no_heavy_library(tmp_path):
    """Even with every command's module imported (as `verhalenbank X --help` does)."""
    loaded = _modules_after(
        """
        from verhalenbank.cli import COMMANDS, load_command
        for name in COMMANDS:
            load_command(name)
        """,
        tmp_path,
    )
    assert not any(loaded.values()), loaded


def test_web_app_start_loads_no_heavy_library(tmp_path):
    loaded = _modules_after(
        """
        from verhalenbank.app import create_app
        app = create_app()
        client = app.test_client()
        assert client.get("/").status_code in (200, 302)
        """,
        tmp_path,
    )
    assert not any(loaded.values()), loaded


def test_help_lists_every_command_without_importing_them(tmp_path):
    script = (
        "import sys\n"
        "from verhalenbank.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.endswith('.cli') and m.startswith('verhalenbank.')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        env={**os.environ, "VERHALENBANK_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    from verhalenbank.cli import COMMANDS

    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout, name
    assert result.stdout.strip().splitlines()[-1] == "LOADED ['verhalenbank.cli']"


@pytest.mark.parametrize("name", sorted(__import__("verhalenbank.cli", fromlist=["COMMANDS"]).COMMANDS))
def test_listed_short_help_is_the_commands_own(name):
    from verhalenbank.cli import COMMANDS, load_command

    command = load_command(name)
    assert isinstance(command, click.Command)
    assert command.name == name
    assert COMMANDS[name][1] == command.get_short_help_str(limit=10_000)
