"""Search page, result export, tag review in place, and the counts page (tellen én vertellen)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import Organisatie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, heeft_recht, vereist
from verhalenbank.core.errors import Ongeldig
from verhalenbank.doelenbomen.models import Doelenboom, Subdoel
from verhalenbank.extensions import db
from verhalenbank.core.scores import legenda as score_legenda
from verhalenbank.core.scores import score_in_woorden
from verhalenbank.rondes.models import Ronde
from verhalenbank.rondes.zelfduiding import GEZICHTEN
from verhalenbank.verhalen import operations as verhalen_operations
from verhalenbank.verhalen.models import BRON_LABELS, Tag, Verhaal
from verhalenbank.zoeken import operations
from verhalenbank.zoeken.backend import Zoekresultaat, qualified_code
from verhalenbank.zoeken.parameters import (
    indicator_field,
    opdracht_uit_parameters,
    search_state,
    subdoel_field,
    url_parameters,
)
from verhalenbank.zoeken.tellen import bar_rows, tel_doelenboom

bp = Blueprint("zoeken", __name__, url_prefix="/zoeken")

EXPORT_LIMIT = 10_000
GEVOEL_LABELS = {value: f"{face} {label}" for value, label, face in GEZICHTEN}


def _labels() -> dict[str, dict[str, str]]:
    """Readable names for every facet value (codes stay in the URL)."""
    bomen = db.session.scalars(
        select(Doelenboom).options(selectinload(Doelenboom.subdoelen).selectinload(Subdoel.indicatoren))
    ).all()
    subdoelen, indicatoren, parents = {}, {}, {}
    for boom in bomen:
        for subdoel in boom.subdoelen:
            code = qualified_code(boom.code, subdoel.code)
            subdoelen[code] = f"{subdoel.code} {subdoel.titel}"
            for indicator in subdoel.indicatoren:
                indicator_code = qualified_code(boom.code, indicator.code)
                indicatoren[indicator_code] = f"{indicator.code} {indicator.titel}"
                parents[indicator_code] = code
    return {
        "doelenboom": {boom.code: boom.titel for boom in bomen},
        "subdoel": subdoelen,
        "indicator": indicatoren,
        "indicator_subdoel": parents,
        "ronde": {ronde.slug: ronde.titel for ronde in db.session.scalars(select(Ronde))},
        "aanbieder": {org.slug: org.naam for org in db.session.scalars(select(Organisatie))},
        "bron": dict(BRON_LABELS),
        "gevoel": GEVOEL_LABELS,
    }


def _facet_groups(state: dict, result: Zoekresultaat, labels: dict) -> list[dict]:
    """Filter groups for the page: doelenboom → subdoel → indicator, then the others."""
    tags = state["tags"]
    facets = result.facetten
    chosen_trees = set(state["boom"])
    chosen_subdoelen = set(state["subdoel"])

    def options(field: str, param: str, label_key: str, keep=lambda value: True) -> list[dict]:
        counts = facets.get(field, {})
        chosen = set(state[param])
        values = sorted(counts, key=lambda value: (labels.get(label_key, {}).get(value, value).lower()))
        if label_key == "gevoel":
            values = sorted(counts)
        return [
            {
                "waarde": value,
                "label": labels.get(label_key, {}).get(value, value),
                "aantal": counts[value],
                "gekozen": value in chosen,
            }
            for value in values
            if keep(value) and (counts[value] or value in chosen)
        ]

    groups = [
        {"naam": "boom", "titel": "Doelenboom", "opties": options("doelenboom", "boom", "doelenboom")},
        {
            "naam": "subdoel",
            "titel": "Subdoel",
            "opties": options(
                subdoel_field(tags), "subdoel", "subdoel",
                keep=lambda value: not chosen_trees or value.split(":", 1)[0] in chosen_trees,
            ),
        },
        {
            "naam": "indicator",
            "titel": "Indicator",
            "opties": options(
                indicator_field(tags), "indicator", "indicator",
                keep=lambda value: (not chosen_subdoelen or labels["indicator_subdoel"].get(value) in chosen_subdoelen)
                and (not chosen_trees or value.split(":", 1)[0] in chosen_trees),
            ),
        },
        {"naam": "ronde", "titel": "Ronde", "opties": options("ronde", "ronde", "ronde")},
        {"naam": "wijk", "titel": "Wijk", "opties": options("wijk", "wijk", "wijk")},
        {"naam": "bron", "titel": "Bron", "opties": options("bron", "bron", "bron")},
        {"naam": "aanbieder", "titel": "Aanbieder", "opties": options("aanbieder", "aanbieder", "aanbieder")},
        {"naam": "gevoel", "titel": "Gevoel van de verteller", "opties": options("gevoel", "gevoel", "gevoel")},
    ]
    return groups


def _public_title(verhaal: Verhaal) -> str:
    return verhaal.titel_publiek or f"Verhaal {verhaal.id}"


@bp.get("/")
@bp.get("")
@vereist(Recht.ZOEKEN)
def zoek():
    state = search_state(request.args)
    fout = None
    result = None
    try:
        opdracht = opdracht_uit_parameters(request.args, subdoelen_van=operations.subdoel_codes)
        result = operations.get_backend().search(opdracht)
    except Ongeldig as error:
        fout = error.bericht
    labels = _labels()
    verhalen = []
    if result is not None:
        by_id = {verhaal.id: verhaal for verhaal in operations.verhalen_in_volgorde(result.ids)}
        gekozen = verhalen_operations.door_panel_gekozen(list(by_id))
        for hit in result.treffers:
            verhaal = by_id.get(hit.id)
            if verhaal is None:
                continue  # erased after the search ran
            verhalen.append(
                {
                    "verhaal": verhaal,
                    "titel": _public_title(verhaal),
                    "fragment": hit.fragment,
                    "tags": [tag for tag in verhaal.tags if not tag.afgewezen],
                    "gekozen": gekozen.get(verhaal.id, 0),
                }
            )
    return render_template(
        "zoeken/zoek.html",
        state=state,
        result=result,
        fout=fout,
        verhalen=verhalen,
        groepen=_facet_groups(state, result, labels) if result else [],
        labels=labels,
        mag_beoordelen=heeft_recht(current_user, Recht.TAGS_BEOORDELEN),
        mag_exporteren=heeft_recht(current_user, Recht.EXPORTEREN),
        score_legenda=score_legenda(),
        url_parameters=url_parameters,
        huidige_url=request.full_path.rstrip("?"),
    )


def _export_rows():
    opdracht = opdracht_uit_parameters(
        request.args, per_pagina=200, facetten=(), subdoelen_van=operations.subdoel_codes
    )
    backend = operations.get_backend()
    written = 0
    while written < EXPORT_LIMIT:
        result = backend.search(opdracht)
        if not result.treffers:
            break
        scores = {hit.id: hit.score for hit in result.treffers}
        for verhaal in operations.verhalen_in_volgorde(result.ids):
            tags = [tag for tag in verhaal.tags if not tag.afgewezen]
            yield {
                "id": verhaal.extern_id or str(verhaal.id),
                "titel": _public_title(verhaal),
                "tekst_publiek": verhaal.tekst_publiek or "",
                "bron": verhaal.bron,
                "ronde": verhaal.ronde.slug if verhaal.ronde else None,
                "wijk": verhaal.wijk,
                "datum": verhaal.datum.isoformat() if verhaal.datum else None,
                "score": round(scores.get(verhaal.id, 0.0), 4),
                "tags": [
                    {
                        "doelenboom": tag.subdoel.doelenboom.code,
                        "subdoel": tag.subdoel.code,
                        "indicator": tag.indicator.code if tag.indicator else None,
                        "score": tag.score,
                        "score_woorden": score_in_woorden(tag.score, tag.bevestigd),
                        "methode": tag.methode,
                        "bevestigd": tag.bevestigd,
                    }
                    for tag in tags
                ],
            }
            written += 1
        if result.pagina >= result.aantal_paginas:
            break
        opdracht.pagina += 1


def _audit_export(formaat: str) -> None:
    log_audit(
        current_user, AuditActie.ZOEKRESULTATEN_GEEXPORTEERD, object_type="zoekopdracht",
        details={"formaat": formaat, "zoekopdracht": request.query_string.decode("utf-8", "replace")[:1000]},
    )
    db.session.commit()


def _export(formaat: str, mimetype: str, body: Callable[[list[dict]], str]):
    """The search results as a download `zoekresultaten.<formaat>`, audited; `body` renders the rows."""
    try:
        rows = list(_export_rows())
    except Ongeldig as error:
        flash(error.bericht)
        return redirect(url_for("zoeken.zoek", **request.args.to_dict(flat=False)))
    _audit_export(formaat)
    return Response(
        body(rows),
        mimetype=mimetype,
        headers={"Content-Disposition": f"attachment; filename=zoekresultaten.{formaat}"},
    )


def _csv_body(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "titel", "tekst_publiek", "bron", "ronde", "wijk", "datum", "score",
                     "subdoelen_bevestigd", "subdoelen_voorgesteld", "indicatoren_bevestigd",
                     "indicatoren_voorgesteld"])

    def codes(tags, key: str, bevestigd: bool) -> str:
        return " ".join(f"{t['doelenboom']}:{t[key]}" for t in tags if t["bevestigd"] == bevestigd and t[key])

    for row in rows:
        tags = row["tags"]
        writer.writerow([row["id"], row["titel"], row["tekst_publiek"], row["bron"], row["ronde"], row["wijk"],
                         row["datum"], row["score"], codes(tags, "subdoel", True), codes(tags, "subdoel", False),
                         codes(tags, "indicator", True), codes(tags, "indicator", False)])
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 correctly


@bp.get("/export.csv")
@vereist(Recht.EXPORTEREN)
def export_csv():
    return _export("csv", "text/csv; charset=utf-8", _csv_body)


@bp.get("/export.jsonl")
@vereist(Recht.EXPORTEREN)
def export_jsonl():
    return _export(
        "jsonl", "application/x-ndjson; charset=utf-8",
        lambda rows: "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
    )


def _safe_return_url(url: str | None) -> str:
    """Only back to our own search page (no open redirect)."""
    if url:
        parts = urlsplit(url)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/zoeken") and not url.startswith("//"):
            return url
    return url_for("zoeken.zoek")


@bp.post("/tag/<int:tag_id>")
@vereist(Recht.TAGS_BEOORDELEN)
def beoordeel_tag(tag_id: int):
    tag = db.session.get(Tag, tag_id)
    if tag is None:
        abort(404)
    actie = request.form.get("actie")
    if actie not in ("bevestigen", "afwijzen"):
        abort(400)
    verhaal_id = tag.verhaal_id
    verhalen_operations.review_tag(tag, bevestigd=actie == "bevestigen", door=current_user)
    log_audit(current_user, AuditActie.TAG_BEVESTIGD if actie == "bevestigen" else AuditActie.TAG_AFGEWEZEN,
              object_type="tag", object_id=tag_id)
    from verhalenbank.core.jobs import run_now_if_synchronous
    from verhalenbank.verhalen.verwerking import plan_leren

    plan_leren([tag.subdoel.doelenboom_id])  # the tagger learns from the decision within seconds
    db.session.commit()
    operations.index_after_commit([verhaal_id])
    run_now_if_synchronous()
    flash("Label bevestigd." if actie == "bevestigen" else "Label afgewezen.")
    return redirect(_safe_return_url(request.form.get("terug")))


def _as_date(value) -> date | None:
    """SQLite returns date(...) as text; PostgreSQL as a date."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@bp.get("/tellen")
@vereist(Recht.ZOEKEN)
def tellen():
    bomen = db.session.scalars(select(Doelenboom).order_by(Doelenboom.titel)).all()
    code = request.args.get("boom") or (bomen[0].code if bomen else None)
    per = "kwartaal" if request.args.get("per") == "kwartaal" else "maand"
    alleen_bevestigd = request.args.get("tags") == "bevestigd"
    if code is None:
        return render_template("zoeken/tellen.html", bomen=bomen, boom=None, telling=None, per=per,
                               alleen_bevestigd=alleen_bevestigd)
    boom = db.session.scalar(
        select(Doelenboom).where(Doelenboom.code == code)
        .options(selectinload(Doelenboom.subdoelen).selectinload(Subdoel.indicatoren))
    )
    if boom is None:
        abort(404)
    # The index dates an undated story by its intake day; the periods must cover those too.
    dag = func.coalesce(Verhaal.datum, func.date(Verhaal.created_at))
    eerste, laatste = db.session.execute(select(func.min(dag), func.max(dag))).one()
    eerste, laatste = _as_date(eerste), _as_date(laatste)
    telling = tel_doelenboom(
        operations.get_backend(), boom, per=per, eerste_datum=eerste, laatste_datum=laatste,
        bron_labels=BRON_LABELS, alleen_bevestigd=alleen_bevestigd,
    )
    grafieken = {
        naam: bar_rows(staven)
        for naam, staven in (
            ("subdoelen", telling.subdoelen),
            ("indicatoren", telling.indicatoren),
            ("periode", telling.per_periode),
            ("wijk", telling.per_wijk),
            ("bron", telling.per_bron),
        )
    }
    from verhalenbank.waarderen.operations import gekozen_per_subdoel

    return render_template(
        "zoeken/tellen.html", bomen=bomen, boom=boom, telling=telling, per=per, grafieken=grafieken,
        alleen_bevestigd=alleen_bevestigd,
        gekozen_door_panel=gekozen_per_subdoel(list(boom.subdoelen)),
    )
