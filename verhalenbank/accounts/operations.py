"""Accounts: creating users, logging in with throttling, and the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from verhalenbank.accounts.audit import AuditActie
from verhalenbank.accounts.models import (
    ApiToken,
    AuditLog,
    Gebruiker,
    LoginPoging,
    Organisatie,
    Rol,
    nieuwe_sessie_sleutel,
)
from verhalenbank.core.errors import NietGevonden, Ongeldig
from verhalenbank.core.models import as_utc, utcnow
from verhalenbank.extensions import db

EMAIL_PATROON = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_WACHTWOORD_LENGTE = 12
MAX_MISLUKTE_POGINGEN = 5
BLOKKEER_VENSTER = timedelta(minutes=15)


def slugify(text: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "organisatie"


def get_or_create_organisatie(naam: str) -> Organisatie:
    naam = naam.strip()
    if not naam:
        raise Ongeldig("Vul de naam van de organisatie in.", veld="organisatie")
    organisatie = db.session.scalar(select(Organisatie).where(Organisatie.naam == naam))
    if organisatie is None:
        organisatie = Organisatie(naam=naam, slug=slugify(naam))
        db.session.add(organisatie)
        db.session.flush()
    return organisatie


# Length alone lets "wachtwoord1234" or "aaaaaaaaaaaa" through; these are the first guesses.
ZWAKKE_WOORDEN = frozenset({
    "wachtwoord", "password", "welkom", "welkomwelkom", "qwerty", "qwertyuiop", "azerty", "geheim",
    "verhalenbank", "gemeente", "letmein", "admin", "beheerder", "zomer", "winter", "voorjaar", "najaar",
})
MIN_VERSCHILLENDE_TEKENS = 5


def check_wachtwoord_sterkte(wachtwoord: str, email: str | None = None) -> None:
    if len(wachtwoord) < MIN_WACHTWOORD_LENGTE:
        raise Ongeldig(
            f"Het wachtwoord moet minstens {MIN_WACHTWOORD_LENGTE} tekens lang zijn.", veld="wachtwoord"
        )
    letters = re.sub(r"[^a-z]", "", wachtwoord.lower())
    naam = re.sub(r"[^a-z]", "", (email or "").split("@")[0].lower())
    if (
        len(set(wachtwoord)) < MIN_VERSCHILLENDE_TEKENS
        or letters in ZWAKKE_WOORDEN
        or (len(naam) >= 3 and letters == naam)
        or not letters and len(set(wachtwoord)) < 8
    ):
        raise Ongeldig(
            "Dit wachtwoord is te makkelijk te raden. Kies bijvoorbeeld drie of vier losse woorden.",
            veld="wachtwoord",
        )


def create_gebruiker(
    email: str,
    rol: str,
    *,
    naam: str = "",
    wachtwoord: str | None = None,
    organisatie: Organisatie | None = None,
) -> Gebruiker:
    email = email.strip().lower()
    if not EMAIL_PATROON.match(email):
        raise Ongeldig(f"'{email}' is geen geldig e-mailadres.", veld="email")
    try:
        rol_enum = Rol(rol)
    except ValueError:
        rollen = ", ".join(r.value for r in Rol)
        raise Ongeldig(f"Onbekende rol '{rol}'. Kies uit: {rollen}.", veld="rol") from None
    if rol_enum is Rol.AANBIEDER and organisatie is None:
        raise Ongeldig("Een aanbieder hoort bij een organisatie.", veld="organisatie")
    if db.session.scalar(select(Gebruiker).where(Gebruiker.email == email)) is not None:
        raise Ongeldig(f"Er is al een gebruiker met e-mailadres {email}.", veld="email")
    gebruiker = Gebruiker(email=email, naam=naam.strip(), rol=rol_enum.value, organisatie=organisatie)
    db.session.add(gebruiker)  # before set_wachtwoord flushes, so the organisation link is kept
    if wachtwoord is not None:
        set_wachtwoord(gebruiker, wachtwoord)
    db.session.flush()
    return gebruiker


def set_wachtwoord(gebruiker: Gebruiker, wachtwoord: str) -> None:
    """Set a password (own change or a beheerder's reset): every earlier session ends."""
    check_wachtwoord_sterkte(wachtwoord, gebruiker.email)
    # werkzeug's default is scrypt with a per-password salt.
    gebruiker.wachtwoord_hash = generate_password_hash(wachtwoord)
    end_sessies(gebruiker)


def end_sessies(gebruiker: Gebruiker) -> None:
    """A new session secret: every session and remember cookie of this user stops working."""
    gebruiker.sessie_sleutel = nieuwe_sessie_sleutel()
    db.session.flush()


def gebruiker_voor_sessie(sessie_id: str) -> Gebruiker | None:
    """The user a session or remember cookie belongs to, if its secret is still the current one."""
    gebruiker_id, _, sleutel = sessie_id.partition(".")
    if not gebruiker_id.isdigit() or len(gebruiker_id) > 9 or not sleutel:
        return None
    gebruiker = db.session.get(Gebruiker, int(gebruiker_id))
    if gebruiker is None or not gebruiker.actief:
        return None
    if not hmac.compare_digest(gebruiker.sessie_sleutel.encode(), sleutel.encode()):
        return None
    return gebruiker


def generate_wachtwoord() -> str:
    return secrets.token_urlsafe(12)


def _poging_sleutels(email: str, adres: str | None) -> list[str]:
    keys = [f"email:{email.strip().lower()}"]
    if adres:
        keys.append(f"adres:{adres}")
    return keys


def is_geblokkeerd(email: str, adres: str | None, *, nu: datetime | None = None) -> bool:
    nu = nu or utcnow()
    grens = nu - BLOKKEER_VENSTER
    for sleutel in _poging_sleutels(email, adres):
        mislukt = db.session.scalar(
            select(func.count(LoginPoging.id)).where(
                LoginPoging.sleutel == sleutel,
                LoginPoging.gelukt.is_(False),
                LoginPoging.tijdstip >= grens,
            )
        )
        limiet = MAX_MISLUKTE_POGINGEN if sleutel.startswith("email:") else MAX_MISLUKTE_POGINGEN * 4
        if mislukt >= limiet:
            return True
    return False


def _lock_pogingen(email: str, adres: str | None) -> None:
    """Make check-count-then-record atomic: concurrent logins for the same account (or address)
    wait for each other until the first commits. SQLite's BEGIN IMMEDIATE already serialises
    writers; on PostgreSQL a transaction-scoped advisory lock per key does (12 parallel wrong
    passwords got 12 password checks against a limit of 5 without it)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for sleutel in sorted(_poging_sleutels(email, adres)):  # one order: no deadlocks
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(sleutel))))


def authenticate(email: str, wachtwoord: str, adres: str | None) -> Gebruiker:
    """Check credentials; throttled per account and per address across processes."""
    _lock_pogingen(email, adres)
    if is_geblokkeerd(email, adres):
        raise Ongeldig(
            "Te veel mislukte pogingen. Wacht een kwartier en probeer het dan opnieuw.", veld="email"
        )
    gebruiker = db.session.scalar(select(Gebruiker).where(Gebruiker.email == email.strip().lower()))
    geldig = (
        gebruiker is not None
        and gebruiker.actief
        and gebruiker.wachtwoord_hash is not None
        and check_password_hash(gebruiker.wachtwoord_hash, wachtwoord)
    )
    for sleutel in _poging_sleutels(email, adres):
        db.session.add(LoginPoging(sleutel=sleutel, gelukt=geldig))
    if not geldig:
        db.session.flush()
        raise Ongeldig("Het e-mailadres of wachtwoord klopt niet.", veld="email")
    db.session.execute(
        delete(LoginPoging).where(
            LoginPoging.sleutel == f"email:{gebruiker.email}", LoginPoging.gelukt.is_(False)
        )
    )
    gebruiker.laatst_ingelogd_op = utcnow()
    db.session.flush()
    return gebruiker


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_GELDIGHEID_DAGEN = (7, 30, 90, 365)
STANDAARD_TOKEN_DAGEN = 90


def create_api_token(
    gebruiker: Gebruiker, naam: str, *, dagen: int = STANDAARD_TOKEN_DAGEN, alleen_lezen: bool = False
) -> tuple[ApiToken, str]:
    """Returns the record and the token itself, which is shown once and never stored.

    A token works on /api/v1 only, for `dagen` days; a read-only one cannot change anything."""
    if dagen not in TOKEN_GELDIGHEID_DAGEN:
        raise Ongeldig("Kies hoe lang het token geldig blijft.", veld="dagen")
    naam = naam.strip() or "API-token"
    token = "vb_" + secrets.token_urlsafe(32)
    record = ApiToken(
        gebruiker=gebruiker, naam=naam[:100], token_hash=_token_hash(token), prefix=token[:10],
        verloopt_op=utcnow() + timedelta(days=dagen), alleen_lezen=alleen_lezen,
    )
    db.session.add(record)
    db.session.flush()
    return record, token


def revoke_api_token(token: ApiToken) -> None:
    token.ingetrokken_op = utcnow()
    db.session.flush()


def is_token_verlopen(token: ApiToken, *, nu: datetime | None = None) -> bool:
    if token.verloopt_op is None:
        return True
    return as_utc(token.verloopt_op) <= (nu or utcnow())


def find_api_token(token: str) -> ApiToken | None:
    """The valid token record (not revoked, not expired, its user active), or None."""
    record = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token),
            ApiToken.ingetrokken_op.is_(None),
            ApiToken.verloopt_op.is_not(None),
            ApiToken.verloopt_op > utcnow(),
        )
    )
    if record is None or not record.gebruiker.actief:
        return None
    record.laatst_gebruikt_op = utcnow()
    return record


def log_audit(
    gebruiker: Gebruiker | None,
    actie: AuditActie,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    details: dict | None = None,
    reden: str | None = None,
) -> AuditLog:
    """Record who did what to which object; flushed with the caller's transaction. `actie` is
    an AuditActie: an unknown action is refused (ValueError), so the logboek names every one."""
    actie = AuditActie(actie)
    authenticated = gebruiker is not None and getattr(gebruiker, "is_authenticated", False)
    regel = AuditLog(
        gebruiker_id=gebruiker.id if authenticated else None,
        gebruiker_email=gebruiker.email if authenticated else None,
        actie=actie.value,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=details,
        reden=reden,
        tijdstip=datetime.now(timezone.utc),
    )
    db.session.add(regel)
    db.session.flush()
    return regel


def change_own_wachtwoord(gebruiker: Gebruiker, huidig: str, nieuw: str) -> None:
    """A user changes their own password: the current one is required (a left-open session
    must not be enough to take over the account)."""
    if gebruiker.wachtwoord_hash is None or not check_password_hash(gebruiker.wachtwoord_hash, huidig):
        raise Ongeldig("Het huidige wachtwoord klopt niet.", veld="huidig")
    if huidig == nieuw:
        raise Ongeldig("Kies een nieuw wachtwoord dat anders is dan het huidige.", veld="nieuw")
    set_wachtwoord(gebruiker, nieuw)


def list_api_tokens(gebruiker: Gebruiker) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.gebruiker_id == gebruiker.id).order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def get_eigen_api_token(gebruiker: Gebruiker, token_id: int) -> ApiToken:
    """Someone else's token is 'not found', so ids can't be probed."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.gebruiker_id != gebruiker.id:
        raise NietGevonden("Dit token bestaat niet.")
    return token


def taak_opnieuw(door: Gebruiker, job_id: int):
    """A beheerder retries a failed background job (flush only; audited). None when the job is
    gone or not failed (anymore)."""
    from verhalenbank.core import jobs

    job = jobs.retry(job_id)
    if job is None:
        return None
    log_audit(door, AuditActie.TAAK_OPNIEUW, object_type="taak", object_id=job.id,
              details={"soort": job.kind, "laatste_fout": (job.error or "")[:500]})
    return job
