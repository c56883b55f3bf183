"""Audit actions: every entry in the audit log names one of these (accounts.operations.log_audit
refuses anything else), each with the plain Dutch words the logboek shows.

The value is what the database stores, so a value never changes once released; add members,
never rename them."""

from __future__ import annotations

import enum


class AuditActie(str, enum.Enum):
    label: str

    def __new__(cls, value: str, label: str) -> "AuditActie":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    # Stories
    ORIGINELE_TEKST_BEKEKEN = ("originele_tekst_bekeken", "Originele tekst bekeken")
    CONTACTGEGEVENS_BEKEKEN = ("contactgegevens_bekeken", "Contactgegevens bekeken")
    TOESTEMMING_GEWIJZIGD = ("toestemming_gewijzigd", "Toestemming of citeren van een verhaal aangepast")
    VERHAAL_GEWIST = ("verhaal_gewist", "Verhaal gewist")
    AVG_EXPORT = ("avg_export", "Alle gegevens van een verhaal gedownload (AVG)")
    VERHALEN_GEEXPORTEERD = ("verhalen_geexporteerd", "Verhalen geëxporteerd")
    ZOEKRESULTATEN_GEEXPORTEERD = ("zoekresultaten_geexporteerd", "Zoekresultaten geëxporteerd")
    # Tags
    TAG_TOEGEVOEGD = ("tag_toegevoegd", "Label toegevoegd")
    TAG_BEVESTIGD = ("tag_bevestigd", "Label bevestigd")
    TAG_AFGEWEZEN = ("tag_afgewezen", "Label afgewezen")
    # Doelenbomen and rondes
    DOELENBOOM_GEIMPORTEERD = ("doelenboom_geimporteerd", "Doelenboom geïmporteerd")
    DOELENBOOM_GEMAAKT = ("doelenboom_gemaakt", "Doelenboom gemaakt")
    DOELENBOOM_GEWIJZIGD = ("doelenboom_gewijzigd", "Doelenboom gewijzigd")
    DOELENBOOM_SUBDOELEN_VERWIJDERD = (
        "doelenboom_subdoelen_verwijderd", "Subdoelen (met hun labels) uit een doelenboom verwijderd")
    RONDE_GEMAAKT = ("ronde_gemaakt", "Ronde gemaakt")
    RONDE_ZELFDUIDING_GEWIJZIGD = ("ronde_zelfduiding_gewijzigd", "Vragen bij het verhaal van een ronde gewijzigd")
    BEWAARTERMIJN_GEWIJZIGD = ("bewaartermijn_gewijzigd", "Bewaartermijn van een ronde gewijzigd")
    # Packs
    PAKKET_GEMAAKT = ("pakket_gemaakt", "Feedbackpakket gemaakt")
    PAKKET_PDF = ("pakket_pdf", "Feedbackpakket als pdf gedownload")
    PAKKET_EXPORT_QDPX = ("pakket_export_qdpx", "Pakket geëxporteerd (REFI-QDA)")
    PAKKET_EXPORT_CSV = ("pakket_export_csv", "Pakket geëxporteerd (CSV)")
    # Waarderingssessies
    WAARDERINGSSESSIE_GEMAAKT = ("waarderingssessie_gemaakt", "Waarderingssessie voorbereid")
    WAARDERINGSSESSIE_GEWIJZIGD = ("waarderingssessie_gewijzigd", "Waarderingssessie gewijzigd")
    WAARDERINGSSESSIE_GEOPEND = ("waarderingssessie_geopend", "Waarderingssessie geopend")
    WAARDERINGSSESSIE_GROEPSKEUZE = ("waarderingssessie_groepskeuze", "Keuze van de groep vastgelegd")
    WAARDERINGSSESSIE_GESLOTEN = ("waarderingssessie_gesloten", "Waarderingssessie gesloten")
    WAARDERINGSSESSIE_BRIEVEN = ("waarderingssessie_brieven", "Brieven aan gekozen vertellers gemaakt")
    WAARDERINGSSESSIE_BRIEVEN_PDF = ("waarderingssessie_brieven_pdf", "Brieven aan gekozen vertellers als pdf gedownload")
    WAARDERINGSSESSIE_EXPORT_CSV = ("waarderingssessie_export_csv", "Gekozen verhalen geëxporteerd (CSV)")
    WAARDERINGSSESSIE_EXPORT_QDPX = ("waarderingssessie_export_qdpx", "Gekozen verhalen geëxporteerd (REFI-QDA)")
    TERUGKOPPELING_GEWIJZIGD = ("terugkoppeling_gewijzigd", "Toestemming voor terugkoppeling aangepast")
    # Transcripts
    TRANSCRIPT_GEUPLOAD = ("transcript_geupload", "Transcript geüpload")
    TRANSCRIPT_OPGESLAGEN = ("transcript_opgeslagen", "Verhalen uit transcript opgeslagen")
    TRANSCRIPT_BESTAND_BEKEKEN = ("transcript_bestand_bekeken", "Origineel transcript gedownload")
    TRANSCRIPT_GEWIST = ("transcript_gewist", "Transcript gewist")
    # Accounts and jobs
    GEBRUIKER_AANGEMAAKT = ("gebruiker_aangemaakt", "Gebruiker aangemaakt")
    GEBRUIKER_UITGEZET = ("gebruiker_uitgezet", "Gebruiker uitgezet")
    GEBRUIKER_ACTIEF = ("gebruiker_actief", "Gebruiker weer aangezet")
    WACHTWOORD_HERSTELD = ("wachtwoord_hersteld", "Nieuw wachtwoord gegeven")
    EIGEN_WACHTWOORD_GEWIJZIGD = ("eigen_wachtwoord_gewijzigd", "Eigen wachtwoord gewijzigd")
    UITGELOGD = ("uitgelogd", "Uitgelogd (alle sessies beëindigd)")
    API_TOKEN_GEMAAKT = ("api_token_gemaakt", "API-token gemaakt")
    API_TOKEN_INGETROKKEN = ("api_token_ingetrokken", "API-token ingetrokken")
    TAAK_OPNIEUW = ("taak_opnieuw", "Mislukte taak opnieuw gestart")


# Exports of the stories panels chose, per file type.
WAARDERINGSSESSIE_EXPORT = {"csv": AuditActie.WAARDERINGSSESSIE_EXPORT_CSV, "qdpx": AuditActie.WAARDERINGSSESSIE_EXPORT_QDPX}


# --- the audit log in plain Dutch -----------------------------------------------------------

ACTIE_LABELS = {actie.value: actie.label for actie in AuditActie}


def actie_label(actie: str) -> str:
    """Plain words for an audit action; unknown ones readable from their code."""
    return ACTIE_LABELS.get(actie) or actie.replace("_", " ").capitalize()
