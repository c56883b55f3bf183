"""`verhalenbank demo`: the example installation (trees, stories, one account per role), served.

It loads data into several domains (doelenbomen, accounts, verhalen, rondes), so it sits at the
top beside cli.py; core/cli.py lends it the domain-free parts (init, a free port, the server)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.core.cli import check_port_free, run_init, serve_app, start_worker_process
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.extensions import db

DEMO_WACHTWOORD = "demo-verhalenbank"
DEMO_GEBRUIKERS = (
    ("beheerder@demo.verhalenbank.nl", "beheerder", None),
    ("beleid@demo.verhalenbank.nl", "beleidsadviseur", None),
    ("facilitator@demo.verhalenbank.nl", "facilitator", None),
    ("aanbieder@demo.verhalenbank.nl", "aanbieder", "Welzijn Lelystad"),
)

# The topic chips on each demo ronde's form, in residents' words (the subdoel titles are policy language).
DEMO_ONDERWERPEN = {
    "lelystad-2026-voorjaar": {"LW1": "Contact met buren", "LW2": "Zorgen voor elkaar en de buurt"},
    "hoorn-2026-najaar": {
        "HS1": "Elkaar helpen", "HS2": "Me alleen voelen", "HS3": "Vooroordelen over psychische problemen",
    },
    "bollenstreek-2026": {
        "MB1": "Gehoord worden door zorgverleners", "MB2": "Begrip op werk of school",
        "MB3": "Geld en vergoedingen", "MB4": "Tijd voor mezelf",
    },
}


def _demo_onderwerpen() -> None:
    """Give each demo ronde its topic labels in residents' words (kept when already set), then
    open its form: a new ronde stays closed until its topics are in residents' words."""
    from verhalenbank.rondes.operations import find_ronde, set_ronde_open, zet_onderwerp_labels

    for slug, labels in DEMO_ONDERWERPEN.items():
        zet_onderwerp_labels(slug, labels)
        ronde = find_ronde(slug)
        if ronde is not None and not ronde.is_open:
            set_ronde_open(ronde, True)


def load_demo_data() -> list[str]:
    """Example trees, stories and one account per role; safe to run twice."""
    from pathlib import Path

    from verhalenbank.accounts import operations as accounts_ops
    from verhalenbank.accounts.models import Gebruiker
    from verhalenbank.doelenbomen import operations as bomen_ops
    from verhalenbank.verhalen.exchange import import_jsonl
    from verhalenbank.verhalen.verwerking import verwerk_verhalen

    demo = Path(__file__).resolve().parent / "demo_data"
    meldingen = []
    bomen = sorted(p for p in demo.iterdir() if p.name.endswith(".yaml"))
    for boom, nieuw in bomen_ops.import_doelenboom_files(bomen):
        meldingen.append(f"Doelenboom {boom.code}: {'geladen' if nieuw else 'bijgewerkt'}")
    db.session.commit()
    for email, rol, organisatie in DEMO_GEBRUIKERS:
        if db.session.scalar(select(Gebruiker).where(Gebruiker.email == email)) is None:
            org = accounts_ops.get_or_create_organisatie(organisatie) if organisatie else None
            accounts_ops.create_gebruiker(email, rol, naam=rol.capitalize(), wachtwoord=DEMO_WACHTWOORD, organisatie=org)
    db.session.commit()

    def na_batch(ids: list[int]) -> None:
        db.session.commit()
        verwerk_verhalen(ids)

    # One ronde per municipality's tree: each example ronde gets the tree its name points to.
    import json

    from verhalenbank.doelenbomen.models import Doelenboom
    from verhalenbank.rondes.operations import boom_bij_naam

    alle_bomen = list(db.session.scalars(select(Doelenboom)))
    with (demo / "verhalen.jsonl").open(encoding="utf-8") as handle:
        slugs = {json.loads(regel).get("ronde") for regel in handle if regel.strip()}
    per_ronde = {}
    for slug in sorted(filter(None, slugs)):
        boom = boom_bij_naam(slug, alle_bomen)
        if boom is not None:
            per_ronde[slug] = [boom.code]
    with (demo / "verhalen.jsonl").open(encoding="utf-8") as handle:
        rapport = import_jsonl(handle, doelenbomen=per_ronde, na_batch=na_batch)
    _demo_onderwerpen()
    db.session.commit()
    meldingen.append(f"Voorbeeldverhalen: {rapport.samenvatting}")
    return meldingen


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Only prepare the demo data, don't start the server.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    """Init, load the example trees and stories, and serve the app."""
    # Both checks come before anything is stored or claimed.
    if not no_serve:
        check_port_free(host, port)
    _check_model_for_demo()
    run_init()
    for melding in load_demo_data():
        click.echo(melding)
    click.echo("Inloggen kan met (wachtwoord: %s):" % DEMO_WACHTWOORD)
    for email, rol, _ in DEMO_GEBRUIKERS:
        click.echo(f"  {email:38} {rol}")
    if not no_serve:
        app = current_app._get_current_object()
        if db.engine.dialect.name == "sqlite":
            start_worker_process(app)
        serve_app(app, host, port, threads=8, debug=False)


def _check_model_for_demo() -> None:
    """The demo analyses 90 stories: without a spaCy model all would end 'mislukt'."""
    from verhalenbank.nlp.pipeline import MODEL_VARIABLE, SpacyModelUnavailable, check_model_available, configured_model_name

    try:
        check_model_available()
    except SpacyModelUnavailable:
        raise Gebruikersfout(
            f"Geen spaCy-model '{configured_model_name()}' gevonden: zet {MODEL_VARIABLE} op een geïnstalleerd model "
            "of installeer het officiële met: python -m spacy download nl_core_news_sm"
        ) from None
