"""Transcript reading + splitting cost for a large text transcript, vs. a bare decode + line split.

The Lelystad example session is repeated until the file is about SIZE_MB (default 5) megabytes,
then read and split by `readers.lees_transcript` + `splitter.stel_voor` (the work a background
upload does), and by a baseline that only decodes the bytes and splits them into lines. Prints
JSON with seconds for both, their ratio, the number of passages, and peak memory (RSS).

    .venv/bin/python benchmarks/bench_transcript.py [SIZE_MB]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verhalenbank.transcripten.readers import lees_transcript  # noqa: E402
from verhalenbank.transcripten.splitter import stel_voor  # noqa: E402

VOORBEELD = ROOT.parent / "shared" / "voorbeelden" / "transcript-ontmoetingsplek.txt"


def groot_transcript(megabytes: float) -> bytes:
    tekst = VOORBEELD.read_text(encoding="utf-8")
    kop, _, lichaam = tekst.partition("-" * 70)
    herhalingen = max(1, int(megabytes * 1024 * 1024 / len(lichaam.encode())))
    return (kop + "-" * 70 + lichaam * herhalingen).encode("utf-8")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    inhoud = groot_transcript(megabytes)

    start = time.perf_counter()
    regels = inhoud.decode("utf-8").splitlines()
    baseline = time.perf_counter() - start
    rss_baseline = peak_rss_mb()

    start = time.perf_counter()
    voorstel = stel_voor(lees_transcript(inhoud, "groot.txt"))
    ours = time.perf_counter() - start

    print(json.dumps({
        "bytes": len(inhoud),
        "regels": len(regels),
        "passages": len(voorstel.passages),
        "baseline_decode_splitlines_s": round(baseline, 4),
        "lees_en_splits_s": round(ours, 3),
        "ratio": round(ours / baseline, 1) if baseline else None,
        "mb_per_s": round(len(inhoud) / 1024 / 1024 / ours, 2),
        "peak_rss_mb_after_baseline": round(rss_baseline, 1),
        "peak_rss_mb_after_ours": round(peak_rss_mb(), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
