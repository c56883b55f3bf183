"""The authorisation matrix, written down once and enforced in one place.

Every view declares what it needs with `@vereist(Recht.X)` (or `@publiek`). A `before_request`
hook (accounts/autorisatie.py, added by create_app()) checks the declaration of the endpoint
being called; an endpoint without a declaration is refused for everyone, so a new route cannot
slip past the matrix. Object-level rules (an aanbieder only sees its own organisation's
transcripts) are the `mag_*` helpers below, used by operations and views alike.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from verhalenbank.accounts.models import Rol

if TYPE_CHECKING:
    from verhalenbank.accounts.models import Gebruiker


class Recht(str, enum.Enum):
    PUBLIEK = "publiek"  # anyone, also without login
    INGELOGD = "ingelogd"  # any logged-in user
    VERHALEN_LEZEN = "verhalen_lezen"  # pseudonymised stories
    ORIGINELE_TEKST_ZIEN = "originele_tekst_zien"  # with a reason, audited
    CONTACTGEGEVENS_ZIEN = "contactgegevens_zien"  # audited
    TRANSCRIPTEN = "transcripten"  # upload/review; aanbieder: own organisation only
    EXPORTEREN = "exporteren"  # audited
    VERWIJDEREN = "verwijderen"  # erase stories (AVG)
    BOMEN_BEHEREN = "bomen_beheren"
    RONDES_BEHEREN = "rondes_beheren"
    TAGS_BEOORDELEN = "tags_beoordelen"
    ZOEKEN = "zoeken"
    PAKKETTEN = "pakketten"
    WAARDEREN = "waarderen"  # prepare and lead waarderingssessies
    GEBRUIKERS_BEHEREN = "gebruikers_beheren"
    AUDIT_BEKIJKEN = "audit_bekijken"
    AVG_INZAGE = "avg_inzage"  # export everything stored about one story (audited)
    TOESTEMMING_WIJZIGEN = "toestemming_wijzigen"  # a story's consent/quote consent, on request (audited)
    TAKEN_BEHEREN = "taken_beheren"  # see background jobs, retry failed ones (audited)


B, P, F, A = Rol.BEHEERDER, Rol.BELEIDSADVISEUR, Rol.FACILITATOR, Rol.AANBIEDER

MATRIX: dict[Recht, frozenset[Rol]] = {
    Recht.INGELOGD: frozenset({B, P, F, A}),
    Recht.VERHALEN_LEZEN: frozenset({B, P, F, A}),
    Recht.ORIGINELE_TEKST_ZIEN: frozenset({B, P}),
    Recht.CONTACTGEGEVENS_ZIEN: frozenset({B}),
    Recht.TRANSCRIPTEN: frozenset({B, P, A}),
    Recht.EXPORTEREN: frozenset({B, P, F}),
    Recht.VERWIJDEREN: frozenset({B}),
    Recht.BOMEN_BEHEREN: frozenset({B, P}),
    Recht.RONDES_BEHEREN: frozenset({B, P, F}),
    Recht.TAGS_BEOORDELEN: frozenset({B, P}),
    Recht.ZOEKEN: frozenset({B, P, F}),
    Recht.PAKKETTEN: frozenset({B, P, F}),
    Recht.WAARDEREN: frozenset({B, P, F}),
    Recht.GEBRUIKERS_BEHEREN: frozenset({B}),
    Recht.AUDIT_BEKIJKEN: frozenset({B}),
    Recht.AVG_INZAGE: frozenset({B}),
    Recht.TOESTEMMING_WIJZIGEN: frozenset({B}),
    Recht.TAKEN_BEHEREN: frozenset({B}),
}

# Plain-Dutch descriptions, shown on the beheerder's permissions page.
OMSCHRIJVING: dict[Recht, str] = {
    Recht.PUBLIEK: "Iedereen, ook zonder inloggen",
    Recht.INGELOGD: "Iedereen die is ingelogd",
    Recht.VERHALEN_LEZEN: "Verhalen lezen (zonder namen en contactgegevens)",
    Recht.ORIGINELE_TEKST_ZIEN: "De originele tekst zien, met een reden (wordt vastgelegd)",
    Recht.CONTACTGEGEVENS_ZIEN: "Contactgegevens van vertellers zien (wordt vastgelegd)",
    Recht.TRANSCRIPTEN: "Transcripten uploaden en bekijken (aanbieder: alleen van de eigen organisatie)",
    Recht.EXPORTEREN: "Verhalen exporteren (wordt vastgelegd)",
    Recht.VERWIJDEREN: "Verhalen wissen",
    Recht.BOMEN_BEHEREN: "Doelenbomen maken en wijzigen",
    Recht.RONDES_BEHEREN: "Rondes maken, openen en sluiten",
    Recht.TAGS_BEOORDELEN: "Labels bevestigen of afwijzen",
    Recht.ZOEKEN: "Zoeken en tellen",
    Recht.PAKKETTEN: "Feedbackpakketten maken en printen",
    Recht.WAARDEREN: "Waarderingssessies voorbereiden en leiden",
    Recht.GEBRUIKERS_BEHEREN: "Gebruikers beheren",
    Recht.AUDIT_BEKIJKEN: "Het logboek bekijken",
    Recht.AVG_INZAGE: "Alles wat over één verhaal is opgeslagen downloaden (AVG-inzage, wordt vastgelegd)",
    Recht.TOESTEMMING_WIJZIGEN: "Toestemming en citeren van een verhaal aanpassen als de verteller dat vraagt (wordt vastgelegd)",
    Recht.TAKEN_BEHEREN: "Taken op de achtergrond zien en mislukte taken opnieuw starten (wordt vastgelegd)",
}

VEREIST_ATTR = "_verhalenbank_recht"


def vereist(recht: Recht) -> Callable:
    """Declare the right a view needs; enforcement happens in the before_request hook."""

    def decorator(view: Callable) -> Callable:
        setattr(view, VEREIST_ATTR, recht)
        return view

    return decorator


publiek = vereist(Recht.PUBLIEK)


def vereist_recht_van(view: Any) -> Recht | None:
    return getattr(view, VEREIST_ATTR, None)


def heeft_recht(gebruiker: Gebruiker | None, recht: Recht) -> bool:
    if recht is Recht.PUBLIEK:
        return True
    if gebruiker is None or not getattr(gebruiker, "is_authenticated", False):
        return False
    if not gebruiker.actief:
        return False
    return Rol(gebruiker.rol) in MATRIX.get(recht, frozenset())


# The one visibility rule: aanbieders see only their own organisation's material (stories,
# transcripts); the gemeente's roles see all; nobody who is not logged in sees any. Written once,
# in two forms that must agree: for a loaded object, and as a SQL condition for every query.


def mag_organisatie_zien(gebruiker: Gebruiker | None, organisatie_id: int | None) -> bool:
    """Aanbieders see only their own organisation's material; the gemeente sees all."""
    if gebruiker is None or not getattr(gebruiker, "is_authenticated", False):
        return False
    if gebruiker.rol != Rol.AANBIEDER.value:
        return True
    return organisatie_id is not None and organisatie_id == gebruiker.organisatie_id


def zichtbaar_voor(gebruiker: Gebruiker | None, organisatie_kolom: Any) -> Any:
    """The same rule as a SQL condition on a query's organisation column, e.g.
    `select(Verhaal).where(zichtbaar_voor(gebruiker, Verhaal.organisatie_id))`.
    An aanbieder without an organisation sees nothing (not the rows without one)."""
    from sqlalchemy import false, true

    if gebruiker is None or not getattr(gebruiker, "is_authenticated", False):
        return false()
    if gebruiker.rol != Rol.AANBIEDER.value:
        return true()
    if gebruiker.organisatie_id is None:
        return false()
    return organisatie_kolom == gebruiker.organisatie_id
