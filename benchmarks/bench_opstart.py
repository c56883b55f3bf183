"""Commands that start at once: `verhalenbank --help`, `zoek buren` and `pakket RONDE --out x.pdf`
on the demo data, each against a baseline measured in the same run.

A fresh installation on the embedded defaults (SQLite, its own data folder) gets the demo data
(`verhalenbank demo --no-serve`: the example trees and the 90 example stories, analysed; not
measured). Then every command runs `--repeat` times, each in a fresh process as an operator
starts it; per command the median wall-clock seconds and the peak resident memory (the
launcher's RUSAGE_CHILDREN; its floor is about 10 MB). The baselines, also fresh processes, in
the same run:

* `interpreter`: `python -c pass`, what any Python command costs at least;
* `web_stack`: importing Flask, SQLAlchemy and click, what any command of this app costs
  before it does anything of its own;
* `pdf_floor`: WeasyPrint making a one-page PDF, what any command that makes a PDF costs.

Goals (issue 17): `--help` <= 0.5 s, `zoek buren` <= 1.5 s, the pack of the 23-story ronde as
PDF <= 4 s. Each run's output is checked (help lists the commands, the search finds stories,
the PDF is a PDF), so a fast failure is never reported as a fast command.

    .venv/bin/python benchmarks/bench_opstart.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.e2e.omgeving import omgeving, verhalenbank_command  # noqa: E402

RONDE = "lelystad-2026-voorjaar"  # 23 example stories
GOALS_SECONDS = {"help": 0.5, "zoek_buren": 1.5, "pakket_pdf": 4.0}

BASELINES = {
    "interpreter": [sys.executable, "-c", "pass"],
    "web_stack": [sys.executable, "-c", "import flask, sqlalchemy, click"],
    "pdf_floor": [sys.executable, "-c",
                  "import sys, weasyprint; weasyprint.HTML(string='<p>Verhaal</p>').write_pdf(sys.argv[1])"],
}


# Runs a command and writes its wall-clock seconds and peak RSS (KB) to the file argv[1]. A
# child's peak RSS counts the process it was forked from, so a small launcher forks the command
# rather than this process (about 45 MB by now): the floor is the launcher's ~10 MB.
LAUNCHER = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
code = subprocess.call(sys.argv[2:])
seconds = time.perf_counter() - started
with open(sys.argv[1], "w") as out:
    json.dump({"seconds": seconds, "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, out)
sys.exit(code)
"""


def run_once(command: list[str], env: dict, cwd: Path, out: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one fresh process; fails loudly on an error."""
    figures = out.with_suffix(".json")
    with open(out, "wb") as stdout, open(out.with_suffix(".err"), "wb") as stderr:
        result = subprocess.run([sys.executable, "-c", LAUNCHER, str(figures), *command], env=env, cwd=cwd,
                                stdout=stdout, stderr=stderr, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n"
                         f"{out.with_suffix('.err').read_text(errors='replace')}")
    measured = json.loads(figures.read_text())
    return measured["seconds"], measured["maxrss_kb"] / 1024, out.read_text(errors="replace")


def measure(command: list[str], env: dict, cwd: Path, repeat: int, check) -> dict:
    runs = []
    for index in range(repeat):
        out = cwd / f"uitvoer-{index}.txt"
        seconds, rss, stdout = run_once(command, env, cwd, out)
        check(stdout, out)
        runs.append((seconds, rss))
    return {
        "seconden_mediaan": round(statistics.median(s for s, _ in runs), 3),
        "seconden_min": round(min(s for s, _ in runs), 3),
        "rss_mb_max": round(max(r for _, r in runs), 1),
        "runs": repeat,
    }


def _no_check(_stdout: str, _out: Path) -> None:
    return None


def _help_lists_commands(stdout: str, _out: Path) -> None:
    for command in ("zoek", "pakket", "worker", "verhalen"):
        if not re.search(rf"^\s+{command}\s", stdout, re.M):
            raise SystemExit(f"--help does not list '{command}':\n{stdout}")


def _finds_stories(stdout: str, _out: Path) -> None:
    found = re.match(r"(\d+) verhalen", stdout)
    if found is None or int(found.group(1)) == 0:
        raise SystemExit(f"`zoek buren` found nothing on the demo data:\n{stdout}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-opstart-") as tmp, omgeving("sqlite", Path(tmp)) as omg:
        started = time.perf_counter()
        omg.run("demo", "--no-serve", timeout=1800)
        demo_seconds = time.perf_counter() - started
        env, cwd = omg.env, omg.data_dir
        pdf = cwd / "pakket.pdf"

        def pdf_made(_stdout: str, _out: Path) -> None:
            if not pdf.exists() or not pdf.read_bytes().startswith(b"%PDF"):
                raise SystemExit("the pack command made no PDF")
            pdf.unlink()

        floor_pdf = cwd / "leeg.pdf"

        def floor_made(_stdout: str, _out: Path) -> None:
            if not floor_pdf.exists() or not floor_pdf.read_bytes().startswith(b"%PDF"):
                raise SystemExit("WeasyPrint made no PDF")
            floor_pdf.unlink()

        baselines = {
            "interpreter": measure(BASELINES["interpreter"], env, cwd, args.repeat, _no_check),
            "web_stack": measure(BASELINES["web_stack"], env, cwd, args.repeat, _no_check),
            "pdf_floor": measure([*BASELINES["pdf_floor"], str(floor_pdf)], env, cwd, args.repeat, floor_made),
        }
        command = verhalenbank_command()
        commands = {
            "help": (measure([*command, "--help"], env, cwd, args.repeat, _help_lists_commands), "interpreter"),
            "zoek_buren": (measure([*command, "zoek", "buren"], env, cwd, args.repeat, _finds_stories), "web_stack"),
            "pakket_pdf": (measure([*command, "pakket", RONDE, "--out", str(pdf)], env, cwd, args.repeat, pdf_made),
                           "pdf_floor"),
        }
    report = {"benchmark": "opstart", "database": "sqlite (the embedded default)", "demo_setup_seconds": round(demo_seconds, 1),
              "baselines": baselines, "commands": {}}
    for name, (figures, baseline) in commands.items():
        base = baselines[baseline]
        report["commands"][name] = {
            **figures,
            "baseline": baseline,
            "x_baseline": round(figures["seconden_mediaan"] / base["seconden_mediaan"], 2),
            "extra_seconden_boven_baseline": round(figures["seconden_mediaan"] - base["seconden_mediaan"], 3),
            "goal_seconds": GOALS_SECONDS[name],
            "meets_goal": figures["seconden_mediaan"] <= GOALS_SECONDS[name],
        }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
