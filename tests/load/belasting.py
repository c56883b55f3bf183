"""Load clients for the public form: residents sending stories through `/r/<slug>`.

Each client is one browser-like session (its own cookies and CSRF token, fetched from the
form page) on its own loopback address (127.0.x.y): the form limits stories per address per
ronde, and 50 residents on 50 phones don't share one address either.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import secrets
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.poolmanager import PoolManager

CSRF_PATROON = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
BEDANKT = "Uw verhaal is goed aangekomen"
REQUEST_TIMEOUT_SECONDS = 120


class _BronAdres(HTTPAdapter):
    """Connections from one given loopback address."""

    def __init__(self, bron: str):
        self.bron = bron
        super().__init__(pool_connections=1, pool_maxsize=1)

    def init_poolmanager(self, connections, maxsize, block=False, **kwargs):
        self.poolmanager = PoolManager(
            num_pools=connections, maxsize=maxsize, block=block, source_address=(self.bron, 0), **kwargs
        )


def client_address(nummer: int) -> str:
    return f"127.0.{1 + nummer // 250}.{1 + nummer % 250}"


@dataclass
class Uitslag:
    """What the clients saw: acknowledged keys, latencies, failures."""

    verstuurd: int = 0
    bevestigd: list[str] = field(default_factory=list)
    latenties: list[float] = field(default_factory=list)
    fouten: list[str] = field(default_factory=list)
    duur: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def samenvatting(self, **extra) -> dict:
        latenties = sorted(self.latenties)

        def percentile(p: float) -> float | None:
            if not latenties:
                return None
            return round(latenties[min(len(latenties) - 1, int(round(p * (len(latenties) - 1))))] * 1000, 1)

        return {
            "verstuurd": self.verstuurd,
            "bevestigd": len(self.bevestigd),
            "fouten": len(self.fouten),
            "voorbeeld_fouten": self.fouten[:5],
            "p50_ms": percentile(0.50),
            "p95_ms": percentile(0.95),
            "max_ms": round(latenties[-1] * 1000, 1) if latenties else None,
            "gemiddeld_ms": round(statistics.fmean(latenties) * 1000, 1) if latenties else None,
            "duur_s": round(self.duur, 1),
            "verhalen_per_s": round(len(self.bevestigd) / self.duur, 1) if self.duur else None,
            **extra,
        }


def _csrf_token(html: str) -> str:
    match = CSRF_PATROON.search(html)
    if match is None:
        raise AssertionError("no csrf_token on the form page")
    return match.group(1) or match.group(2)


def run_client(
    base_url: str, slug: str, nummer: int, teksten: list[str], uitslag: Uitslag,
    stop: threading.Event, deadline: float,
) -> None:
    session = requests.Session()
    session.mount("http://", _BronAdres(client_address(nummer)))
    try:
        pagina = session.get(f"{base_url}/r/{slug}", timeout=REQUEST_TIMEOUT_SECONDS)
        pagina.raise_for_status()
        token = _csrf_token(pagina.text)
    except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
        with uitslag.lock:
            uitslag.fouten.append(f"client {nummer}: form page: {exc}")
        return
    for index, tekst in enumerate(teksten):
        if stop.is_set() or time.monotonic() > deadline:
            return
        sleutel = f"belasting-{nummer:03d}-{index:03d}-{secrets.token_hex(6)}"
        data = {
            "csrf_token": token, "tekst": tekst, "toestemming": "y", "bron": "inwoner",
            "wijk": "Atolwijk", "inzend_sleutel": sleutel, "website": "",
        }
        with uitslag.lock:
            uitslag.verstuurd += 1
        start = time.perf_counter()
        try:
            antwoord = session.post(f"{base_url}/r/{slug}", data=data, timeout=REQUEST_TIMEOUT_SECONDS)
        except requests.RequestException as exc:
            with uitslag.lock:
                uitslag.fouten.append(f"client {nummer} verhaal {index}: {type(exc).__name__}")
            continue
        duur = time.perf_counter() - start
        # Acknowledged = the resident saw the thank-you page (after the 303 from the POST).
        if antwoord.status_code == 200 and BEDANKT in antwoord.text and antwoord.url.endswith("/bedankt"):
            with uitslag.lock:
                uitslag.bevestigd.append(sleutel)
                uitslag.latenties.append(duur)
        else:
            with uitslag.lock:
                uitslag.fouten.append(f"client {nummer} verhaal {index}: HTTP {antwoord.status_code}")


def run_load(
    base_url: str, slug: str, *, clients: int, per_client: int, teksten: list[str],
    time_limit: float, stop: threading.Event | None = None, eerste_client: int = 0, processes: int = 1,
) -> Uitslag:
    """`clients` residents at once, each sending `per_client` of `teksten`; client numbers
    (and so source addresses) start at `eerste_client`.

    `processes` > 1 spreads the clients over that many processes. Fifty phones share no
    interpreter lock: in one process the clients' own parsing queues behind that lock and is
    counted as the server's latency (measured here, PostgreSQL, 500 stories, the server
    unchanged: p95 640–715 ms with one process, 457 ms with two)."""
    if processes > 1:
        if stop is not None:
            raise ValueError("stop works with processes=1 only")
        return _run_load_in_processes(base_url, slug, clients=clients, per_client=per_client, teksten=teksten,
                                      time_limit=time_limit, eerste_client=eerste_client, processes=processes)
    uitslag = Uitslag()
    stop = stop or threading.Event()
    deadline = time.monotonic() + time_limit
    threads = [
        threading.Thread(
            target=run_client,
            args=(base_url, slug, eerste_client + nummer, teksten[nummer * per_client:(nummer + 1) * per_client],
                  uitslag, stop, deadline),
            daemon=True,
        )
        for nummer in range(clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + REQUEST_TIMEOUT_SECONDS))
    uitslag.duur = time.perf_counter() - start
    return uitslag


def _run_load_in_processes(
    base_url: str, slug: str, *, clients: int, per_client: int, teksten: list[str], time_limit: float,
    eerste_client: int, processes: int,
) -> Uitslag:
    context = multiprocessing.get_context("fork")
    resultaten = context.Queue()
    grenzen = [round(clients * deel / processes) for deel in range(processes + 1)]

    def deel(van: int, tot: int) -> None:
        uitslag = run_load(base_url, slug, clients=tot - van, per_client=per_client,
                           teksten=teksten[van * per_client:tot * per_client], time_limit=time_limit,
                           eerste_client=eerste_client + van)
        resultaten.put((uitslag.verstuurd, uitslag.bevestigd, uitslag.latenties, uitslag.fouten))

    start = time.perf_counter()
    kinderen = [context.Process(target=deel, args=(van, tot)) for van, tot in zip(grenzen, grenzen[1:]) if tot > van]
    for kind in kinderen:
        kind.start()
    uitslag = Uitslag()
    for _ in kinderen:
        verstuurd, bevestigd, latenties, fouten = resultaten.get(timeout=time_limit + 2 * REQUEST_TIMEOUT_SECONDS)
        uitslag.verstuurd += verstuurd
        uitslag.bevestigd.extend(bevestigd)
        uitslag.latenties.extend(latenties)
        uitslag.fouten.extend(fouten)
    uitslag.duur = time.perf_counter() - start
    for kind in kinderen:
        kind.join(timeout=30)
    return uitslag


def write_report(path: Path, key: str, figures: dict) -> None:
    """Merge one run's figures into the JSON report (one key per database)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        report = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        report = {}
    report[key] = figures
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
