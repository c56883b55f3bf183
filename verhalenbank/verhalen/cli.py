from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.core import jobs
from verhalenbank.core.cli import start_helper_workers
from verhalenbank.extensions import db
from verhalenbank.nlp.operations import analysis_failures_note
from verhalenbank.verhalen.exchange import export_jsonl, import_jsonl
from verhalenbank.verhalen.models import Verhaal
from verhalenbank.verhalen.verwerking import ANALYSEREN, HERTAGGEN, INDEXEREN, plan_verwerking, verwerk_importbatch

# A file this long is analysed by several processes (each loads the language model: seconds).
PARALLEL_FROM = 1_000
MAX_IMPORT_PROCESSES = 4
# The import writes the search index this many stories at a time, in one write (by this process;
# helpers only analyse): a write per batch cost a fifth of the import's time (Whoosh writes a
# segment per write, each with its own copy of the common words, and merges the small ones).
INDEX_PER_SCHRIJFBEURT = 500
QUEUE_KINDS = (ANALYSEREN, INDEXEREN)  # what the import works (its helpers only analyse)


@click.group()
def verhalen() -> None:
    """Import and export stories (JSON Lines exchange format)."""


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


@verhalen.command("import")
@click.argument("bestand", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--ronde", "ronde_slug", help="Put every story in this ronde (created if it doesn't exist).")
@click.option(
    "--doelenboom", "doelenboom_opties", multiple=True, metavar="CODE|RONDE=CODE",
    help="Tree of rondes the import creates; RONDE=CODE for one ronde only. Repeat for several. "
         "Without it, lines of a ronde that does not exist are refused.",
)
@click.option(
    "--processen", type=click.IntRange(min=1), default=None,
    help=f"Processes that analyse the stories (default: the cores, at most {MAX_IMPORT_PROCESSES}, for a file "
         f"of {PARALLEL_FROM:,} lines or more; else 1, this process).",
)
@with_appcontext
def import_command(
    bestand: Path, ronde_slug: str | None, doelenboom_opties: tuple[str, ...], processen: int | None,
) -> None:
    """Import stories; lines whose id is already stored are skipped."""
    if not bestand.is_file():
        raise click.ClickException(f"{bestand}: file not found")
    doelenbomen: dict[str | None, list[str]] = {}
    for optie in doelenboom_opties:
        slug, _, code = optie.rpartition("=")
        doelenbomen.setdefault(slug or None, []).append(code)
    regels = _count_lines(bestand)
    if processen is None:
        processen = jobs.available_cores(MAX_IMPORT_PROCESSES) if regels >= PARALLEL_FROM else 1
    # Binary: every line is decoded on its own, so bad UTF-8 anywhere refuses just that line.
    handle = bestand.open("rb")

    progress = None
    if sys.stderr.isatty():
        from tqdm import tqdm

        progress = tqdm(total=regels, unit="regel", file=sys.stderr, desc=bestand.name)
    helpers: list | None = None  # started after the first batch

    def na_batch(ids: list[int]) -> None:
        nonlocal helpers
        if processen == 1:
            db.session.commit()  # stored before anything else may fail
            verwerk_importbatch(ids)
            _index_als_genoeg_wacht(len(ids))
            return
        # Several processes: the analysis goes through the job queue, which this process and
        # its helper workers work together once the stories are stored.
        plan_verwerking(ids)
        db.session.commit()  # stored, their analysis queued, before anything else may fail
        if helpers is None:
            # They analyse; the index is written here, a few of their batches at a time.
            helpers = start_helper_workers(current_app._get_current_object(), processen - 1, (ANALYSEREN,))

    with handle:
        rapport = import_jsonl(
            handle, ronde_slug=ronde_slug, doelenbomen=doelenbomen, na_batch=na_batch,
            voortgang=(lambda _n: progress.update(1)) if progress else None,
        )
    if processen > 1:
        # Also when every line was stored before (a run after a killed one): the jobs it left.
        _work_queue_with(helpers or [], len(rapport.opgeslagen), show_progress=progress is not None)
    else:
        jobs.work(burst=True, kinds=(INDEXEREN,), housekeeping=False)  # the last batches' index write
        _meld_wachtende_taken((INDEXEREN,))
    # A bank that grew past a checkpoint queued tagging its first stories again (they were
    # tagged on a bank of a few stories): done here, so a story's suggestions do not depend on
    # where in the file it stood, and the import ends with the tags a worker would give.
    jobs.work(burst=True, kinds=(HERTAGGEN,), housekeeping=False)
    note = analysis_failures_note()  # e.g. no spaCy model: say so instead of failing silently
    from verhalenbank.rondes.operations import find_ronde

    nieuwe = [(slug, find_ronde(slug)) for slug in rapport.nieuwe_rondes]
    nieuwe = [(slug, ronde.is_open, ", ".join(boom.code for boom in ronde.doelenbomen)) for slug, ronde in nieuwe]
    db.session.commit()
    if progress:
        progress.close()
    for slug, is_open, bomen in nieuwe:
        staat = "open" if is_open else "formulier dicht tot de onderwerpen gewone woorden hebben"
        click.echo(f"Nieuwe ronde aangemaakt: {slug} ({staat}, doelenboom {bomen})")
    # The same reason for many lines (a ronde that does not exist) is said once.
    per_reden: dict[str, list[int]] = {}
    for nummer, reden in rapport.geweigerd:
        per_reden.setdefault(reden, []).append(nummer)
    for reden, nummers in per_reden.items():
        regels = ", ".join(map(str, nummers[:5])) + (f" en {len(nummers) - 5} meer" if len(nummers) > 5 else "")
        woord = "regel" if len(nummers) == 1 else "regels"
        click.echo(f"{bestand.name}, {woord} {regels}: {reden}", err=True)
    click.echo(rapport.samenvatting)
    if note:
        click.echo(note, err=True)
    if rapport.geweigerd:
        raise SystemExit(1)


def _index_als_genoeg_wacht(verhalen_per_taak: int) -> None:
    """Write the queued index jobs, in one write, once about INDEX_PER_SCHRIJFBEURT stories wait
    (one batch of them: helpers queue more meanwhile, and those wait for the next write)."""
    if jobs.remaining((INDEXEREN,)) * verhalen_per_taak >= INDEX_PER_SCHRIJFBEURT:
        jobs.run_batch(jobs.claim(jobs.worker_id(), kinds=(INDEXEREN,)))


def _meld_wachtende_taken(soorten: tuple[str, ...]) -> None:
    """Say so when jobs of the import are left: a batch that failed waits for its retry, a
    process that died holds its jobs until their lease ends. The stories are stored; a worker
    finishes them."""
    left = jobs.remaining(soorten)
    if left:
        click.echo(f"{left} analyse- of indexeertaken wachten nog (een nieuwe poging of een gestopte helper); "
                   "`verhalenbank worker --once` of de worker van de server maakt ze af.", err=True)


def _work_queue_with(helpers: list, stored: int, *, show_progress: bool) -> None:
    """Analyse the queued stories here, beside the helper workers, and write their index a few
    batches at a time; then wait for the helpers and take what they left (a helper that stopped
    early, a batch that came back) and the last index write."""
    bar = None
    if show_progress:
        from tqdm import tqdm

        bar = tqdm(total=stored, unit="verhaal", file=sys.stderr, desc="analyse")

    def voortgang() -> None:
        if bar is not None:
            bar.n = max(0, stored - jobs.remaining((ANALYSEREN,)))
            bar.refresh()

    per_taak = jobs.registered()[ANALYSEREN].batch  # stories per analysis job, so per index job

    def na_batch() -> None:
        voortgang()
        _index_als_genoeg_wacht(per_taak)

    jobs.work(burst=True, kinds=(ANALYSEREN,), housekeeping=False, after_batch=na_batch)
    for helper in helpers:
        helper.wait()
    jobs.work(burst=True, kinds=QUEUE_KINDS, housekeeping=False, after_batch=voortgang)
    if bar is not None:
        voortgang()
        bar.close()
    _meld_wachtende_taken(QUEUE_KINDS)


@verhalen.command("export")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--ronde", "ronde_slug", help="Only stories of this ronde.")
@with_appcontext
def export_command(out: Path | None, ronde_slug: str | None) -> None:
    """Export stories with tekst_publiek and visible tags."""
    from verhalenbank.rondes.operations import get_ronde

    query = select(Verhaal).order_by(Verhaal.id)
    if ronde_slug:
        query = query.where(Verhaal.ronde_id == get_ronde(ronde_slug).id)
    verhalen_ = db.session.scalars(query).yield_per(500)
    target = out.open("w", encoding="utf-8") if out else sys.stdout
    aantal = 0
    try:
        for regel in export_jsonl(verhalen_):
            target.write(regel)
            aantal += 1
    finally:
        if out:
            target.close()
    log_audit(None, AuditActie.VERHALEN_GEEXPORTEERD, details={"aantal": aantal, "ronde": ronde_slug, "via": "cli"})
    db.session.commit()
    if out:
        click.echo(f"{aantal} verhalen geschreven naar {out}")
