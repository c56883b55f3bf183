"""Load benchmark: residents sending stories through the public form of `verhalenbank serve`.

Runs, on loopback and against a fresh installation per run (its own data dir and database):
  1. the baseline: one resident sending stories one after another (no contention), waitress;
  2. many residents at once on waitress (one process, --threads);
  3. the same load on gunicorn (--workers processes × --threads);
  4. that gunicorn load again with analysis inside the request (VERHALENBANK_VERWERKING=direct),
     to show what the background worker saves the resident.
Prints one JSON object: p50/p95 latency and stories per second per run, and the ratios of the
loaded runs against the baseline measured in the same run. Every run checks that the
database holds exactly the acknowledged stories.

    .venv/bin/python benchmarks/bench_belasting.py [--database sqlite|postgresql]
        [--clients 50] [--per-client 20] [--baseline 20] [--workers 2] [--threads 8]

The load tests (tests/load/test_belasting.py) assert correctness under the same load; this
file only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.e2e.omgeving import Server, omgeving, prepare  # noqa: E402
from tests.load.belasting import run_load  # noqa: E402
from tests.load.verhalen_maken import verhaal_teksten  # noqa: E402

RONDE = "buurtkamer-benchmark"


def measure(
    database: str, *, clients: int, per_client: int, workers: int, threads: int, seed: int,
    verwerking: str = "achtergrond",
) -> dict:
    # The server process inherits this (omgeving passes os.environ on).
    os.environ["VERHALENBANK_VERWERKING"] = verwerking
    with tempfile.TemporaryDirectory(prefix="bench-belasting-") as tmp, omgeving(database, Path(tmp)) as omg:
        prepare(omg, ronde=RONDE)
        server = Server(omg, workers=workers, threads=threads).start()
        try:
            # Not measured: the first request of every process loads the language model. From
            # other addresses than the measured clients, so the per-address limit is untouched.
            warm = workers * threads
            run_load(server.base_url, RONDE, clients=warm, per_client=1, teksten=verhaal_teksten(warm, seed=0),
                     time_limit=300, eerste_client=clients)
            uitslag = run_load(
                server.base_url, RONDE, clients=clients, per_client=per_client,
                teksten=verhaal_teksten(clients * per_client, seed=seed), time_limit=1800,
            )
        finally:
            server.stop()
        bevestigd_opgeslagen = omg.scalar("SELECT COUNT(*) FROM verhalen WHERE inzend_sleutel IN ({})".format(
            ", ".join(f"'{sleutel}'" for sleutel in uitslag.bevestigd) or "''"))
        figures = uitslag.samenvatting(
            clients=clients, per_client=per_client, workers=workers, threads=threads,
            bevestigd_en_opgeslagen=bevestigd_opgeslagen,
        )
        figures.pop("voorbeeld_fouten")
        figures["niets_bevestigd_kwijt"] = bevestigd_opgeslagen == figures["bevestigd"]
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=20, help="stories the single baseline resident sends")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    baseline = measure(args.database, clients=1, per_client=args.baseline, workers=1, threads=args.threads, seed=1)
    waitress = measure(args.database, clients=args.clients, per_client=args.per_client, workers=1, threads=args.threads, seed=2)
    gunicorn = measure(
        args.database, clients=args.clients, per_client=args.per_client, workers=args.workers, threads=args.threads, seed=3
    )

    # The same gunicorn load with analysis inside the request (before the background worker).
    in_request = measure(
        args.database, clients=args.clients, per_client=args.per_client, workers=args.workers, threads=args.threads,
        seed=4, verwerking="direct",
    )

    def ratios(run: dict) -> dict:
        return {
            "p50_x_baseline": round(run["p50_ms"] / baseline["p50_ms"], 2),
            "p95_x_baseline": round(run["p95_ms"] / baseline["p95_ms"], 2),
            "throughput_x_baseline": round(run["verhalen_per_s"] / baseline["verhalen_per_s"], 2),
        }

    print(json.dumps({
        "benchmark": "belasting",
        "database": args.database,
        "baseline_een_inwoner": baseline,
        "waitress": {**waitress, **ratios(waitress)},
        f"gunicorn_{args.workers}_workers": {**gunicorn, **ratios(gunicorn)},
        f"gunicorn_{args.workers}_workers_analyse_in_verzoek": {**in_request, **ratios(in_request)},
        "achtergrond_vs_in_verzoek_p50": round(gunicorn["p50_ms"] / in_request["p50_ms"], 2),
        "achtergrond_vs_in_verzoek_p95": round(gunicorn["p95_ms"] / in_request["p95_ms"], 2),
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
