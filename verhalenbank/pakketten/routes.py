"""Feedback packs: list per ronde, curation view, print view, PDF, summary and exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import Organisatie
from verhalenbank.accounts.operations import log_audit
from verhalenbank.accounts.permissions import Recht, vereist
from verhalenbank.core.errors import Gebruikersfout
from verhalenbank.extensions import db
from verhalenbank.pakketten import operations, qdpx, weergave
from verhalenbank.pakketten.gegevens import THEMAS_SLEUTEL, Keuzes
from verhalenbank.pakketten.models import Pakket
from verhalenbank.rondes.models import Ronde

bp = Blueprint("pakketten", __name__, url_prefix="/pakketten")


def _pakket_of_404(pakket_id: int) -> Pakket:
    pakket = db.session.get(Pakket, pakket_id)
    if pakket is None:
        abort(404)
    return pakket


def _foto_url(pakket: Pakket):
    return lambda foto: url_for("pakketten.foto", pakket_id=pakket.id, bestand=foto.bron)


def _bestandsnaam(pakket: Pakket, extensie: str) -> str:
    return f"pakket-{pakket.ronde.slug}-{pakket.id}.{extensie}"


@bp.get("/")
@vereist(Recht.PAKKETTEN)
def lijst():
    rondes = list(db.session.scalars(select(Ronde).order_by(Ronde.created_at.desc(), Ronde.id.desc())))
    per_ronde = {r.id: [] for r in rondes}
    for pakket in operations.list_pakketten():
        per_ronde.setdefault(pakket.ronde_id, []).append(pakket)
    organisaties = list(db.session.scalars(select(Organisatie).order_by(Organisatie.naam)))
    return render_template(
        "pakketten/lijst.html", rondes=rondes, per_ronde=per_ronde, organisaties=organisaties
    )


@bp.post("/nieuw")
@vereist(Recht.PAKKETTEN)
def nieuw():
    ronde = db.session.scalar(select(Ronde).where(Ronde.slug == request.form.get("ronde", "")))
    if ronde is None:
        flash("Kies een ronde.")
        return redirect(url_for("pakketten.lijst"))
    try:
        vernauwing = operations.vernauwing_van(
            request.form.get("doelenboom") or None,
            request.form.get("wijk") or None,
            request.form.get("aanbieder") or None,
        )
        pakket = operations.create_pakket(ronde, vernauwing, door=current_user)
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(str(fout))
        return redirect(url_for("pakketten.lijst"))
    log_audit(current_user, AuditActie.PAKKET_GEMAAKT, object_type="pakket", object_id=pakket.id)
    db.session.commit()
    return redirect(url_for("pakketten.bekijk", pakket_id=pakket.id))


@bp.get("/<int:pakket_id>")
@vereist(Recht.PAKKETTEN)
def bekijk(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    invoer, inhoud = operations.build_inhoud(pakket)
    titels = {v.sleutel: v.titel for v in invoer.verhalen}
    keuzes = Keuzes.uit_json(pakket.keuzes)
    weggelaten = {
        sleutel: [(s, titels.get(s, f"Verhaal {s}")) for s in k.weg if s in titels]
        for sleutel, k in keuzes.secties.items()
    }
    curatie = {
        "actie": url_for("pakketten.keuze", pakket_id=pakket.id),
        "csrf": generate_csrf(),
        "kiesbaar": [(v.sleutel, v.titel) for v in invoer.verhalen if v.citeren],
    }
    return render_template(
        "pakketten/pakket.html", pakket=pakket, inhoud=inhoud, curatie=curatie,
        weggelaten=weggelaten, foto_src=_foto_url(pakket), THEMAS_SLEUTEL=THEMAS_SLEUTEL,
    )


@bp.post("/<int:pakket_id>/keuze")
@vereist(Recht.PAKKETTEN)
def keuze(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    sectie = request.form.get("sectie", "")
    handeling = request.form.get("handeling", "")
    getoond = None
    if handeling in ("omhoog", "omlaag"):
        _, inhoud = operations.build_inhoud(pakket)
        getoond = operations.getoonde_volgorde(inhoud, sectie)
    try:
        operations.apply_keuze(
            pakket, sectie, handeling, verhaal=request.form.get("verhaal"),
            notitie=request.form.get("notitie"), getoond=getoond, reden=request.form.get("reden"),
        )
    except Gebruikersfout as fout:
        db.session.rollback()
        flash(str(fout))
        return redirect(url_for("pakketten.bekijk", pakket_id=pakket.id))
    db.session.commit()
    flash({"notitie": "Notitie bewaard.", "toevoegen": "Verhaal toegevoegd."}.get(handeling, "Keuze bewaard."))
    anker = "themas-kop" if sectie == THEMAS_SLEUTEL else f"subdoel-{sectie}"
    return redirect(url_for("pakketten.bekijk", pakket_id=pakket.id, _anchor=anker))


@bp.get("/<int:pakket_id>/print")
@vereist(Recht.PAKKETTEN)
def afdrukken(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    _, inhoud = operations.build_inhoud(pakket)
    html = weergave.render_html(
        inhoud, url_for("static", filename="css/pakket.css"), _foto_url(pakket),
        env=current_app.jinja_env,
    )
    return Response(html, mimetype="text/html")


@bp.get("/<int:pakket_id>/samenvatting")
@vereist(Recht.PAKKETTEN)
def samenvatting(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    _, inhoud = operations.build_inhoud(pakket)
    html = weergave.render_samenvatting_html(inhoud, url_for("static", filename="css/pakket.css"),
                                             env=current_app.jinja_env)
    return Response(html, mimetype="text/html")


def _pdf(pakket: Pakket, template: str, naam: str):
    _, inhoud = operations.build_inhoud(pakket)
    pdf = weergave.render_pdf(
        inhoud, foto_map=current_app.config["VERHALENBANK"].photo_dir, env=current_app.jinja_env,
        template=template,
    )
    return _audited_download(pakket, AuditActie.PAKKET_PDF, pdf, "application/pdf", naam)


def _audited_download(pakket: Pakket, actie: AuditActie, data: bytes, mimetype: str, naam: str) -> Response:
    """Every file that leaves the app with stories in it is written to the audit log first."""
    log_audit(current_user, actie, object_type="pakket", object_id=pakket.id)
    db.session.commit()
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{naam}"'})


@bp.get("/<int:pakket_id>/pakket.pdf")
@vereist(Recht.PAKKETTEN)
def pdf(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    return _pdf(pakket, "pakketten/print.html", _bestandsnaam(pakket, "pdf"))


@bp.get("/<int:pakket_id>/samenvatting.pdf")
@vereist(Recht.PAKKETTEN)
def samenvatting_pdf(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    return _pdf(pakket, "pakketten/samenvatting.html", f"samenvatting-{pakket.ronde.slug}-{pakket.id}.pdf")


@bp.get("/<int:pakket_id>/export.qdpx")
@vereist(Recht.EXPORTEREN)
def export_qdpx(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    invoer = operations.verzamel_invoer(pakket.ronde, operations.vernauwing_van_pakket(pakket))
    data = qdpx.maak_qdpx(invoer.ronde_slug, invoer.ronde_titel, invoer.doelenbomen,
                          operations.exporteerbare_verhalen(invoer))
    return _audited_download(pakket, AuditActie.PAKKET_EXPORT_QDPX, data, "application/zip", _bestandsnaam(pakket, "qdpx"))


@bp.get("/<int:pakket_id>/export.csv")
@vereist(Recht.EXPORTEREN)
def export_csv(pakket_id: int):
    pakket = _pakket_of_404(pakket_id)
    invoer = operations.verzamel_invoer(pakket.ronde, operations.vernauwing_van_pakket(pakket))
    tekst = qdpx.maak_csv(invoer.doelenbomen, operations.exporteerbare_verhalen(invoer))
    return _audited_download(
        pakket, AuditActie.PAKKET_EXPORT_CSV, tekst.encode("utf-8"), "text/csv; charset=utf-8", _bestandsnaam(pakket, "csv")
    )


@bp.get("/<int:pakket_id>/foto/<bestand>")
@vereist(Recht.PAKKETTEN)
def foto(pakket_id: int, bestand: str):
    pakket = _pakket_of_404(pakket_id)
    gevonden = operations.foto_van_pakket(pakket, bestand)
    if gevonden is None:
        abort(404)
    pad = current_app.config["VERHALENBANK"].photo_dir / gevonden.bestand
    if not pad.is_file():
        abort(404)
    return send_file(pad, mimetype="image/jpeg", max_age=3600)
