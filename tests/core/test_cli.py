from __future__ import annotations

from tests.support.cli import run_cli
from tests.support.paths import DOELENBOMEN


def test_user_errors_are_one_line_without_traceback(tmp_path):
    run_cli(["init"], tmp_path)
    for args in (
        ["doelenboom", "import", str(tmp_path / "bestaat-niet.yaml")],
        ["doelenboom", "export", "onbekend"],
        ["verhalen", "import", str(tmp_path / "niets.jsonl")],
        ["gebruiker", "add", "geen-email", "--rol", "beheerder"],
        ["gebruiker", "add", "a@b.nl", "--rol", "aanbieder"],
    ):
        result = run_cli(args, tmp_path)
        assert result.returncode != 0, args
        assert "Traceback" not in result.stderr + result.stdout, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)


def test_postgres_database_url_is_used(tmp_path, migrated_postgres):
    from tests.support.databases import truncate_all

    truncate_all(migrated_postgres)
    postgres_url = migrated_postgres.url.render_as_string(hide_password=False)
    from verhalenbank.config import load_settings

    settings = load_settings({"data_dir": tmp_path, "database_url": "postgresql://postgres@127.0.0.1:5432/test"})
    assert settings.database_url.startswith("postgresql+psycopg://")
    result = run_cli(["doelenboom", "import", str(DOELENBOMEN / "hoorn-samenleven.yaml")], tmp_path, DATABASE_URL=postgres_url)
    assert result.returncode == 0, result.stderr


def _priority_in_a_child(idle: bool) -> list[str]:
    import subprocess
    import sys

    programma = (
        "import os\n"
        "from verhalenbank.core.cli import verlaag_prioriteit\n"
        f"gedaan = verlaag_prioriteit(10, idle={idle})\n"
        "print(gedaan.replace(' ', '_'), os.sched_getscheduler(0) == os.SCHED_IDLE, os.nice(0))\n"
    )
    return subprocess.run([sys.executable, "-c", programma], capture_output=True, text=True, check=True).stdout.split()


def test_a_worker_beside_the_web_server_only_takes_idle_cpu_time():
    """`worker --idle` (what `serve` starts) runs under Linux SCHED_IDLE; a plain worker at nice 10.
    Checked in child processes: each lowers its own priority."""
    assert _priority_in_a_child(True) == ["idle", "True", "0"]
    assert _priority_in_a_child(False) == ["nice_10", "False", "10"]


def test_worker_refuses_an_unknown_job_kind(app, runner):
    from verhalenbank.cli import main

    result = runner.invoke(main, ["worker", "--once", "--soort", "verhalen.onbekend"])
    assert result.exit_code != 0
    assert "Unknown job kind: verhalen.onbekend" in result.output
    assert "verhalen.analyseren" in result.output  # the known kinds are listed
