"""Load benchmark: residents sending stories through the public form of `verhalenbank serve`.

Runs, on loopback and against a fresh installation per run (its own data dir and database):
  1. the baseline: one resident sending stories one after another (no contention), waitress;
  2. many residents at once on waitress (one process, --threads);
  3. the same load on gunicorn (--workers processes × --threads);
  4. that gunicorn load again with analysis inside the request (VERHALENBANK_VERWERKING=direct),
     to show what the background worker saves the resident.
Prints one JSON object per database: p50/p95 latency and stories per second per run, the
ratios of the loaded runs against the baseline measured in the same run, how long the
analysis backlog (the job queue) takes to drain after the rush, and the peak RSS of the web
processes and of the job worker (read from /proc while the load and the drain run). Every run
checks that the database holds exactly the acknowledged stories.

    .venv/bin/python benchmarks/bench_belasting.py [--database sqlite|postgresql|both]
        [--clients 50] [--per-client 20] [--baseline 20] [--workers 2] [--threads 8]
        [--client-processen 2]

The residents' clients run in --client-processen processes (threads within each): fifty phones
share no interpreter lock, and in one process the clients' own work queued behind it and was
counted as the server's latency.

The load tests (tests/load/test_belasting.py) assert correctness under the same load; this
file only measures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.e2e.omgeving import Server, omgeving, prepare  # noqa: E402
from tests.load.belasting import run_load  # noqa: E402
from tests.load.verhalen_maken import verhaal_teksten  # noqa: E402

RONDE = "buurtkamer-benchmark"
DRAIN_LIMIT_SECONDS = 3600


def _processes_in_groups(groups: set[int]) -> list[tuple[int, str]]:
    """(pid, command line) of every live process whose process group is one of `groups`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            # Fields after the command name (which may hold spaces): state ppid pgrp ...
            pgrp = int(stat.rsplit(")", 1)[1].split()[2])
            if pgrp in groups:
                found.append((int(entry.name), (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()))
        except (OSError, ValueError, IndexError):
            continue
    return found


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler:
    """Peak resident memory per role (web process, job worker) of a running Server."""

    def __init__(self, server: Server):
        self.groups = {p.pid for p in (server.process, server.worker) if p is not None}
        self.peak = {"web": 0.0, "worker": 0.0}
        self.cpu_first: dict[int, tuple[str, float]] = {}
        self.cpu_last: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid, cmdline in _processes_in_groups(self.groups):
                role = "worker" if "worker" in cmdline.split()[1:] else "web"  # `worker [--idle]`
                self.peak[role] = max(self.peak[role], _rss_mb(pid))
                cpu = _cpu_s(pid)
                self.cpu_first.setdefault(pid, (role, cpu))
                self.cpu_last[pid] = cpu
            self._stop.wait(0.5)

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds per role while sampling (from the first to the last look)."""
        used = {"web": 0.0, "worker": 0.0}
        for pid, (role, first) in self.cpu_first.items():
            used[role] += self.cpu_last[pid] - first
        return {role: round(seconds, 1) for role, seconds in used.items()}


def _rusage_s(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def drain_seconds(omg, started: float) -> float | None:
    """Seconds from `started` until the job queue holds nothing waiting or running."""
    while time.monotonic() - started < DRAIN_LIMIT_SECONDS:
        if omg.scalar("SELECT COUNT(*) FROM jobs WHERE status IN ('waiting', 'running')") == 0:
            return round(time.monotonic() - started, 1)
        time.sleep(0.5)
    return None


def measure(
    database: str, *, clients: int, per_client: int, workers: int, threads: int, seed: int,
    verwerking: str = "achtergrond", client_processes: int = 2,
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
            drain_seconds(omg, time.monotonic())  # the warm-up's stories, not measured
            client_cpu = _rusage_s(resource.getrusage(resource.RUSAGE_SELF)) + _rusage_s(
                resource.getrusage(resource.RUSAGE_CHILDREN))
            with RssSampler(server) as rss:
                uitslag = run_load(
                    server.base_url, RONDE, clients=clients, per_client=per_client,
                    teksten=verhaal_teksten(clients * per_client, seed=seed), time_limit=1800,
                    processes=client_processes,
                )
                # After the rush: how long until every acknowledged story is analysed and indexed.
                client_cpu_s = _rusage_s(resource.getrusage(resource.RUSAGE_SELF)) + _rusage_s(
                    resource.getrusage(resource.RUSAGE_CHILDREN)) - client_cpu
                achterstand_s = drain_seconds(omg, time.monotonic())
        finally:
            server.stop()
        bevestigd_opgeslagen = omg.scalar("SELECT COUNT(*) FROM verhalen WHERE inzend_sleutel IN ({})".format(
            ", ".join(f"'{sleutel}'" for sleutel in uitslag.bevestigd) or "''"))
        figures = uitslag.samenvatting(
            clients=clients, per_client=per_client, workers=workers, threads=threads,
            bevestigd_en_opgeslagen=bevestigd_opgeslagen,
        )
        figures.pop("voorbeeld_fouten")
        figures["achterstand_weggewerkt_s"] = achterstand_s
        figures["rss_mb_web_max"] = round(rss.peak["web"], 1)
        figures["rss_mb_worker_max"] = round(rss.peak["worker"], 1) if rss.peak["worker"] else None
        # Where the machine's CPU went (load + drain): the clients of this benchmark run here too.
        figures["cpu_s"] = {"clients": round(client_cpu_s, 1), **rss.cpu_seconds()}
        figures["niets_bevestigd_kwijt"] = bevestigd_opgeslagen == figures["bevestigd"]
        return figures


def run(database: str, args) -> dict:
    baseline = measure(database, clients=1, per_client=args.baseline, workers=1, threads=args.threads, seed=1)
    load = {"clients": args.clients, "per_client": args.per_client, "threads": args.threads,
            "client_processes": args.client_processen}
    waitress = measure(database, workers=1, seed=2, **load)
    gunicorn = measure(database, workers=args.workers, seed=3, **load)
    # The same gunicorn load with analysis inside the request (what the job worker saves the resident).
    in_request = measure(database, workers=args.workers, seed=4, verwerking="direct", **load)

    def ratios(run: dict) -> dict:
        return {
            "p50_x_baseline": round(run["p50_ms"] / baseline["p50_ms"], 2),
            "p95_x_baseline": round(run["p95_ms"] / baseline["p95_ms"], 2),
            "throughput_x_baseline": round(run["verhalen_per_s"] / baseline["verhalen_per_s"], 2),
        }

    return {
        "baseline_een_inwoner": baseline,
        "waitress": {**waitress, **ratios(waitress)},
        f"gunicorn_{args.workers}_workers": {**gunicorn, **ratios(gunicorn)},
        f"gunicorn_{args.workers}_workers_analyse_in_verzoek": {**in_request, **ratios(in_request)},
        "achtergrond_vs_in_verzoek_p50": round(gunicorn["p50_ms"] / in_request["p50_ms"], 2),
        "achtergrond_vs_in_verzoek_p95": round(gunicorn["p95_ms"] / in_request["p95_ms"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=20)
    parser.add_argument("--baseline", type=int, default=20, help="stories the single baseline resident sends")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--client-processen", type=int, default=2,
                        help="processes the residents' clients are spread over (1: all in this process, "
                             "where their own work queues behind one interpreter lock)")
    args = parser.parse_args()

    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    print(json.dumps({
        "benchmark": "belasting",
        **{database: run(database, args) for database in databases},
    }, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
