"""`verhalenbank verhalen import` end to end (store, analyse, tag, index) against raw nlp.pipe.

In one run, on the same generated texts (sentences of the example stories recombined):
  1. the baseline: the bare spaCy pipeline over the texts (nlp.pipe, our components disabled),
     in a fresh process, including loading the model — what any import must at least cost;
  2. `verhalenbank verhalen import` of the same texts as JSON Lines into a fresh installation,
     as an operator runs it, until every story is stored, analysed, tagged and indexed: once
     with `--processen 1` (this process analyses, batch by batch, as before the job queue took
     large imports) and once as the operator runs it by default (a file this long is analysed
     through the job queue by the import and helper workers, one per core, at most 4).
Prints one JSON object per database: per run seconds, stories per second, and the ratio of the
import's throughput to the baseline's (the goal is ≥ 0.7; the baseline is one process).

    .venv/bin/python benchmarks/bench_import.py [--database sqlite|postgresql|both] [--stories 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.e2e.omgeving import SPACY_MODEL, omgeving, prepare  # noqa: E402
from tests.load.verhalen_maken import verhaal_teksten, write_jsonl  # noqa: E402
from verhalenbank.core.jobs import available_cores  # noqa: E402
from verhalenbank.verhalen.cli import MAX_IMPORT_PROCESSES, PARALLEL_FROM  # noqa: E402

RONDE = "import-benchmark"

RAW_PIPE = """
import json, sys, time
start = time.perf_counter()
from verhalenbank.nlp.pipeline import get_pipeline
nlp = get_pipeline(sys.argv[1]).nlp
texts = json.load(open(sys.argv[2], encoding="utf-8"))
ours = [name for name in nlp.pipe_names if name.startswith("verhalenbank")]
with nlp.select_pipes(disable=ours):
    for _ in nlp.pipe(texts, batch_size=64):
        pass
print(time.perf_counter() - start)
"""


def raw_pipe_seconds(texts: list[str], tmp: Path) -> float:
    path = tmp / "teksten.json"
    path.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    out = subprocess.run([sys.executable, "-c", RAW_PIPE, SPACY_MODEL, str(path)], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)})
    return float(out.stdout.strip().splitlines()[-1])


def import_seconds(database: str, stories: int, tmp: Path, *options: str) -> dict:
    with omgeving(database, tmp) as omg:
        prepare(omg, ronde=RONDE)
        bestand = write_jsonl(tmp / f"verhalen-{database}.jsonl", stories, ronde=RONDE)
        start = time.perf_counter()
        omg.run("verhalen", "import", str(bestand), *options, timeout=7200)
        seconds = time.perf_counter() - start
        analysed = omg.scalar("SELECT COUNT(*) FROM verhalen WHERE analyse_status = 'geanalyseerd'")
        tagged = omg.scalar("SELECT COUNT(DISTINCT verhaal_id) FROM tags")
        indexed = omg.search_index_count()
    return {"seconden": round(seconds, 1), "verhalen_per_s": round(stories / seconds, 1),
            "geanalyseerd": analysed, "met_labels": tagged, "in_zoekindex": indexed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--stories", type=int, default=2000)
    args = parser.parse_args()
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]

    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        texts = verhaal_teksten(args.stories)  # the texts write_jsonl writes
        raw = raw_pipe_seconds(texts, Path(tmp))
        baseline = {"seconden": round(raw, 1), "verhalen_per_s": round(args.stories / raw, 1)}
        result = {"benchmark": "import", "verhalen": args.stories, "baseline_nlp_pipe": baseline}
        for database in databases:
            result[database] = {}
            for name, options in (("een_proces", ("--processen", "1")), ("standaard", ())):
                run_dir = Path(tmp) / f"{database}-{name}"
                run_dir.mkdir()
                figures = import_seconds(database, args.stories, run_dir, *options)
                figures["x_nlp_pipe"] = round(figures["verhalen_per_s"] / baseline["verhalen_per_s"], 2)
                result[database][name] = figures
            result[database]["standaard_processen"] = available_cores(MAX_IMPORT_PROCESSES) if args.stories >= PARALLEL_FROM else 1
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
