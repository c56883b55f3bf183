"""Benchmark: the feedback pack of a ronde of 5,000 stories, HTML and PDF.

Prints JSON: seconds and peak memory for building the pack (selection, words, themes, moves),
rendering HTML and rendering the PDF, and baselines measured in the same run on the same
stories: a plain HTML list of all stories, and a plain-list PDF of the stories the pack prints.
Goal: pack + HTML + PDF within 10 s.

    .venv/bin/python benchmarks/bench_pakket.py [--verhalen 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from tests.pakketten.voorbeelden import BOMEN, laad_boom, laad_verhalen  # noqa: E402
from verhalenbank.pakketten.gegevens import PakketInvoer, PakketVerhaal, TagInfo  # noqa: E402
from verhalenbank.pakketten.samenstellen import bouw_pakket  # noqa: E402
from verhalenbank.pakketten.weergave import html_naar_pdf, jinja_omgeving, render_html  # noqa: E402

PLAIN_LIST = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Lijst</title>
<style>@page { size: A4; margin: 18mm } body { font-family: "DejaVu Sans"; font-size: 10.5pt }
article { break-inside: avoid; margin: 0 0 1em }</style></head><body>
{% for v in verhalen %}<article><h2>{{ v.titel }}</h2><p>{{ v.tekst }}</p></article>{% endfor %}
</body></html>"""


def synthetic_ronde(aantal: int, seed: int) -> PakketInvoer:
    """Stories remixed from the example sentences, tagged like the examples they came from."""
    rng = random.Random(seed)
    voorbeelden = laad_verhalen()
    bomen = [laad_boom(code) for code in BOMEN.values()]
    zinnen = [(z.strip() + ".", r) for r in voorbeelden for z in r["tekst"].replace("\n", " ").split(".") if len(z.strip()) > 20]
    bronnen = ("inwoner", "inwoner", "inwoner", "mantelzorger", "vrijwilliger", "professional", "transcript")
    wijken = ("Noord", "Zuid", "Oost", "West", "Centrum", "Haven")
    verhalen = []
    for i in range(aantal):
        basis = rng.choice(voorbeelden)
        eigen = [z for z, r in zinnen if r is basis]
        tekst = " ".join(rng.sample(eigen, min(len(eigen), rng.randint(2, 5))) + [rng.choice(zinnen)[0]])
        tags = tuple(TagInfo(code, bevestigd=rng.random() < 0.6, score=round(rng.uniform(0.5, 1.0), 2))
                     for code in basis["labels"])
        verhalen.append(PakketVerhaal(
            id=i + 1, titel=f"{basis['titel']} ({i + 1})", tekst=tekst, bron=rng.choice(bronnen),
            wijk=rng.choice(wijken), datum=date(2026, 4, 1) + timedelta(days=rng.randint(0, 180)),
            citeren=rng.random() < 0.7, tags=tags,
            gevoel=rng.choice((None, 1, 2, 3, 4, 5)),
        ))
    return PakketInvoer("bench-5000", "Benchmark-ronde", bomen, verhalen, date(2026, 4, 1), date(2026, 9, 30))


def gemeten(functie):
    """Result and wall-clock seconds (no tracing: tracemalloc slows WeasyPrint several times)."""
    start = time.perf_counter()
    resultaat = functie()
    return resultaat, round(time.perf_counter() - start, 3)


def piek_geheugen(functie) -> float:
    """Peak Python heap (MiB) of a second, traced run."""
    tracemalloc.start()
    functie()
    _, piek = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return round(piek / 2**20, 1)


def laden_uit_database(invoer: PakketInvoer) -> tuple[PakketInvoer, float]:
    """Store the synthetic ronde in a throw-away SQLite database and time reading it back."""
    import tempfile

    from verhalenbank.app import create_app
    from verhalenbank.core.migrate import upgrade
    from verhalenbank.doelenbomen import operations as bomen_ops
    from verhalenbank.extensions import db
    from verhalenbank.pakketten import operations
    from verhalenbank.rondes.models import Ronde
    from verhalenbank.verhalen.models import Tag, Verhaal

    map_ = Path(tempfile.mkdtemp(prefix="bench-pakket-"))
    url = f"sqlite:///{map_ / 'bench.sqlite3'}"
    upgrade(url)
    app = create_app({"data_dir": map_, "database_url": url, "secret_key": "bench"})
    with app.app_context():
        bomen = [b for b, _ in bomen_ops.import_doelenboom_files(
            sorted((PROJECT.parent / "shared" / "doelenbomen").glob("*.yaml")))]
        subdoel = {s.code: s for b in bomen for s in b.subdoelen}
        ronde = Ronde(slug="bench-5000", titel="Benchmark-ronde", wijken=[], doelenbomen=bomen,
                      start_datum=invoer.start_datum, eind_datum=invoer.eind_datum)
        db.session.add(ronde)
        for v in invoer.verhalen:
            db.session.add(Verhaal(
                tekst=v.tekst, tekst_publiek=v.tekst, titel=v.titel, titel_publiek=v.titel, bron=v.bron,
                wijk=v.wijk, datum=v.datum, toestemming=True, citeren=v.citeren, ronde=ronde,
                tags=[Tag(subdoel=subdoel[t.subdoel], bevestigd=t.bevestigd, score=t.score) for t in v.tags],
            ))
        db.session.commit()
        start = time.perf_counter()
        uit_db = operations.verzamel_invoer(ronde)
        duur = time.perf_counter() - start
        db.session.remove()
        db.engine.dispose()
    return uit_db, round(duur, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verhalen", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", action="store_true", help="Also store the stories in SQLite and read them back.")
    args = parser.parse_args()

    invoer = synthetic_ronde(args.verhalen, args.seed)
    t_db = None
    if args.db:
        invoer, t_db = laden_uit_database(invoer)
    # Warm-up outside the measurement: imports, template compilation, font loading.
    klein = PakketInvoer("w", "w", invoer.doelenbomen, invoer.verhalen[:60])
    html_naar_pdf(render_html(bouw_pakket(klein)))

    inhoud, t_bouw = gemeten(lambda: bouw_pakket(invoer))
    html, t_html = gemeten(lambda: render_html(inhoud))
    pdf, t_pdf = gemeten(lambda: html_naar_pdf(html))
    m_bouw = piek_geheugen(lambda: bouw_pakket(invoer))
    m_html = piek_geheugen(lambda: render_html(inhoud))
    m_pdf = piek_geheugen(lambda: html_naar_pdf(html))

    lijst = jinja_omgeving().from_string(PLAIN_LIST)
    _, t_lijst_html = gemeten(lambda: lijst.render(verhalen=invoer.verhalen))
    getoond_ids = {v.sleutel for b in inhoud.bomen for s in b.subdoelen for v in s.representatief + s.tegengeluid}
    getoond_ids |= {t.voorbeeld.sleutel for t in inhoud.themas if t.voorbeeld}
    getoond = [v for v in invoer.verhalen if v.sleutel in getoond_ids]
    lijst_pdf, t_lijst_pdf = gemeten(lambda: html_naar_pdf(lijst.render(verhalen=getoond)))

    from io import BytesIO

    from pypdf import PdfReader

    totaal = t_bouw + t_html + t_pdf + (t_db or 0)
    print(json.dumps({
        "verhalen": args.verhalen,
        "subdoelen": sum(len(b.subdoelen) for b in inhoud.bomen),
        "themas": len(inhoud.themas),
        "geciteerde_verhalen": len(getoond),
        "pdf_paginas": len(PdfReader(BytesIO(pdf)).pages),
        "pdf_kb": round(len(pdf) / 1024),
        "seconden": {"laden_uit_sqlite": t_db, "pakket_opbouwen": t_bouw, "html": t_html, "pdf": t_pdf, "totaal": round(totaal, 3)},
        "piek_geheugen_mb_tracemalloc_aparte_run": {"pakket_opbouwen": m_bouw, "html": m_html, "pdf": m_pdf},
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "baseline": {
            "kale_lijst_html_alle_verhalen_s": t_lijst_html,
            "kale_lijst_pdf_zelfde_geciteerde_verhalen_s": t_lijst_pdf,
            "kale_lijst_pdf_paginas": len(PdfReader(BytesIO(lijst_pdf)).pages),
        },
        "ratio": {
            "pakket_html_vs_kale_lijst_html": round((t_bouw + t_html) / max(t_lijst_html, 1e-6), 2),
            "pakket_pdf_vs_kale_lijst_pdf": round(t_pdf / max(t_lijst_pdf, 1e-6), 2),
        },
        "doel_totaal_s": 10,
        "doel_gehaald": totaal <= 10,
    }, indent=2))


if __name__ == "__main__":
    main()
