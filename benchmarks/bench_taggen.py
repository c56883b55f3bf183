"""Tagging freshly analysed stories in a large bank: a worker's batch, against the bank re-read
for every batch (before) and against the bank the worker keeps while it barely changed (now).

For each bank size, in one run on the same database: the bank is filled with analysed stories
(lemmas of the example stories' sentences recombined, inserted directly, not analysed again),
then batches of new analysed stories (32, the analysis job's batch) are tagged with
`nlp.operations.tag_verhalen` as the analysis job does, first with the bank cache off
(`BANK_REUSE_FROM` above the bank: read for every batch), then on. Prints JSON: seconds per batch
and stories per second, and the ratio; plus how far the suggestions differ (the share of stories
whose suggestions differ, and the largest score difference) between the two.

    VERHALENBANK_SPACY_MODEL=../shared/models/nl_verhalen_sm .venv/bin/python benchmarks/bench_taggen.py
        [--database sqlite|postgresql] [--sizes 1000,10000,50000] [--batches 5]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from tests.e2e.omgeving import omgeving, prepare  # noqa: E402
from tests.load.verhalen_maken import verhaal_teksten  # noqa: E402

RONDE = "taggen-benchmark"
BATCH = 32


def _lemma_pool(count: int) -> list[str]:
    from verhalenbank.nlp.analysis import lemmatise

    return [" ".join(lemmas) for lemmas in lemmatise(verhaal_teksten(count, seed=7))]


def _insert(connection, pool: list[str], count: int, rng: random.Random, ronde_id: int | None,
            status: str = "geanalyseerd") -> list[int]:
    from sqlalchemy import insert, select, func

    from verhalenbank.core.models import utcnow
    from verhalenbank.verhalen.models import Verhaal

    now = utcnow()
    start = connection.execute(select(func.coalesce(func.max(Verhaal.id), 0))).scalar_one()
    rows = [{
        "tekst": "-", "bron": "inwoner", "toestemming": True, "citeren": False, "status": "actief",
        "analyse_status": status, "geanalyseerd_op": now, "ronde_id": ronde_id,
        "lemmas": " ".join(rng.sample(pool, 2)),
    } for _ in range(count)]
    for first in range(0, len(rows), 5000):
        connection.execute(insert(Verhaal), rows[first:first + 5000])
    return list(connection.execute(select(Verhaal.id).where(Verhaal.id > start).order_by(Verhaal.id)).scalars())


def _tag_batches(batches: list[list[int]]) -> tuple[float, dict]:
    """Each batch as the analysis job leaves it: analysed (flushed), then tagged, then committed;
    the bank grows by a batch each time."""
    from sqlalchemy import select, update

    from verhalenbank.core.models import utcnow
    from verhalenbank.extensions import db
    from verhalenbank.nlp.operations import tag_verhalen
    from verhalenbank.verhalen.models import AnalyseStatus, Tag, Verhaal

    start = time.perf_counter()
    for batch in batches:
        db.session.execute(update(Verhaal).where(Verhaal.id.in_(batch)).values(
            analyse_status=AnalyseStatus.GEANALYSEERD, geanalyseerd_op=utcnow()))
        tag_verhalen(batch)
        db.session.commit()
    seconds = time.perf_counter() - start
    ids = [i for batch in batches for i in batch]
    tags = db.session.execute(select(Tag.verhaal_id, Tag.subdoel_id, Tag.score).where(Tag.verhaal_id.in_(ids))).all()
    result: dict[int, dict[int, float]] = {i: {} for i in ids}
    db.session.commit()
    for verhaal_id, subdoel_id, score in tags:
        result[verhaal_id][subdoel_id] = score
    return seconds, result


def measure(database: str, sizes: list[int], batches: int) -> dict:
    from sqlalchemy import delete, select, update

    from verhalenbank.app import create_app
    from verhalenbank.extensions import db
    from verhalenbank.nlp import operations
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.verhalen.models import Tag, Verhaal

    out = {}
    with tempfile.TemporaryDirectory(prefix="bench-taggen-") as tmp, omgeving(database, Path(tmp)) as omg:
        prepare(omg, ronde=RONDE)
        app = create_app({"data_dir": omg.data_dir, "database_url": omg.database_url, "secret_key": "x"})
        rng = random.Random(20261207)
        with app.app_context():
            pool = _lemma_pool(400)
            ronde_id = db.session.scalar(select(Ronde.id).where(Ronde.slug == RONDE))
            db.session.commit()  # SQLite: one writer at a time, and the inserts below write
            in_bank = 0
            for size in sizes:
                with db.engine.begin() as connection:
                    _insert(connection, pool, size - in_bank, rng, ronde_id)
                    new = _insert(connection, pool, BATCH * batches, rng, ronde_id, status="te_analyseren")
                in_bank = size + BATCH * batches  # the new ones join the bank for the next size
                groups = [new[k:k + BATCH] for k in range(0, len(new), BATCH)]
                operations._bank_cache.clear()
                saved = operations.BANK_REUSE_FROM
                operations.BANK_REUSE_FROM = 10 ** 12  # before: the bank read for every batch
                try:
                    before_s, before = _tag_batches(groups)
                finally:
                    operations.BANK_REUSE_FROM = saved
                db.session.execute(delete(Tag).where(Tag.verhaal_id.in_(new)))
                db.session.execute(update(Verhaal).where(Verhaal.id.in_(new)).values(analyse_status="te_analyseren"))
                db.session.commit()
                operations._bank_cache.clear()
                now_s, now = _tag_batches(groups)
                differing = sum(1 for i in new if set(before[i]) != set(now[i]))
                largest = max((abs(before[i][s] - now[i][s]) for i in new for s in set(before[i]) & set(now[i])), default=0.0)
                out[str(size)] = {
                    "batches": len(groups),
                    "before_s_per_batch": round(before_s / len(groups), 3),
                    "now_s_per_batch": round(now_s / len(groups), 3),
                    "before_stories_per_s": round(len(new) / before_s, 1),
                    "now_stories_per_s": round(len(new) / now_s, 1),
                    "now_x_before": round(before_s / now_s, 1),
                    "stories_with_other_suggestions": differing,
                    "largest_score_difference": round(float(largest), 4),
                }
            db.session.remove()
            db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--batches", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    print(json.dumps({"benchmark": "taggen", "database": args.database, "batch": BATCH,
                      "sizes": measure(args.database, sizes, args.batches)}, indent=2))


if __name__ == "__main__":
    main()
