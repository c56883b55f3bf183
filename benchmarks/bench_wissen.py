"""Erasure benchmark: the cost of taking one story out of a Whoosh index so that its words
leave the disk (delete, then `purge_deleted` rewrites the segments that held it, as
`verhalenbank opschonen` does), against the baseline measured in the same run: the delete alone
(what the erasing request does), which only marks the document and leaves its text on disk.

    .venv/bin/python benchmarks/bench_wissen.py [--size 20000] [--repeat 5]

Prints JSON: seconds per erasure for both, their ratio, and whether the erased words were
still in the index files afterwards (the baseline's reason to exist: it leaves them).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from verhalenbank.zoeken.backend import ZoekDocument  # noqa: E402
from verhalenbank.zoeken.whoosh_backend import WhooshBackend  # noqa: E402

WOORDEN = (
    "buurtkamer koffie samen wijk buren hulp mantelzorg moeder vader dagbesteding tuin feest "
    "eenzaam vrolijk praten luisteren vrijwilliger jongeren school sport wandelen markt"
).split()


def _documents(n: int, seed: int = 7) -> list[ZoekDocument]:
    rng = random.Random(seed)
    return [
        ZoekDocument(id=i, titel=f"Verhaal {i}", tekst_publiek=" ".join(rng.choices(WOORDEN, k=80)) + f" merkwoord{i}x",
                     wijk=rng.choice(["Atolwijk", "Waterwijk", "Zwaag"]), bron="inwoner")
        for i in range(1, n + 1)
    ]


def _holds(index_dir: Path, woord: str) -> bool:
    return any(woord.encode() in p.read_bytes() for p in index_dir.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    documents = _documents(args.size)
    resultaten = {}
    for naam, wis in (("delete_only", lambda b, ids: b.remove(ids)),
                      ("delete_and_purge", lambda b, ids: (b.remove(ids), b.purge_deleted()))):
        with tempfile.TemporaryDirectory() as tmp:
            backend = WhooshBackend(Path(tmp))
            backend.rebuild(documents)
            tijden, nog_op_schijf = [], []
            for k in range(args.repeat):
                doel = 1 + (k * 997) % args.size
                begin = time.perf_counter()
                wis(backend, [doel])
                tijden.append(time.perf_counter() - begin)
                nog_op_schijf.append(_holds(Path(tmp), f"merkwoord{doel}x"))
            assert backend.count() == args.size - args.repeat
            resultaten[naam] = {"median_s": round(statistics.median(tijden), 4), "max_s": round(max(tijden), 4),
                                "words_left_on_disk": sum(nog_op_schijf)}
            backend.close()
    print(json.dumps({
        "benchmark": "erasure from the whoosh index",
        "stories": args.size,
        "erasures": args.repeat,
        **resultaten,
        "ratio_purge_vs_delete_only": round(
            resultaten["delete_and_purge"]["median_s"] / resultaten["delete_only"]["median_s"], 1),
    }, indent=2))


if __name__ == "__main__":
    main()
