"""Verhaal and what hangs on it: tags, self-signification answers, contact details."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.accounts.models import Gebruiker, Organisatie
from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.doelenbomen.models import Indicator, Subdoel
from verhalenbank.rondes.models import Ronde

BRONNEN = ("inwoner", "mantelzorger", "vrijwilliger", "professional", "transcript")
BRON_LABELS = {
    "inwoner": "Inwoner",
    "mantelzorger": "Mantelzorger",
    "vrijwilliger": "Vrijwilliger",
    "professional": "Professional",
    "transcript": "Vertelsessie",
}


class AnalyseStatus:
    TE_ANALYSEREN = "te analyseren"
    GEANALYSEERD = "geanalyseerd"
    MISLUKT = "mislukt"


class VerhaalStatus:
    ACTIEF = "actief"
    VERBORGEN = "verborgen"


class Verhaal(TimestampMixin, Base):
    __tablename__ = "verhalen"
    # Erased ids are never handed out again (SQLite would reuse the highest one), so a new
    # record never inherits the audit trail of an erased one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    extern_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    tekst: Mapped[str] = mapped_column(Text)
    titel: Mapped[str | None] = mapped_column(String(300))
    bron: Mapped[str] = mapped_column(String(30), default="inwoner")
    wijk: Mapped[str | None] = mapped_column(String(200))
    datum: Mapped[date | None]
    toestemming: Mapped[bool] = mapped_column(default=False)
    toestemming_op: Mapped[datetime | None]
    toestemming_versie: Mapped[str | None] = mapped_column(String(50))
    citeren: Mapped[bool] = mapped_column(default=False)
    ronde_id: Mapped[int | None] = mapped_column(ForeignKey("rondes.id", ondelete="SET NULL"), index=True)
    organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisaties.id", ondelete="SET NULL"), index=True
    )
    ingediend_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruikers.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default=VerhaalStatus.ACTIEF)

    analyse_status: Mapped[str] = mapped_column(String(20), default=AnalyseStatus.TE_ANALYSEREN, index=True)
    analyse_fout: Mapped[str | None] = mapped_column(Text)
    geanalyseerd_op: Mapped[datetime | None]
    # Pseudonymised text: what everyone without the right to see originals gets.
    tekst_publiek: Mapped[str | None] = mapped_column(Text)
    titel_publiek: Mapped[str | None] = mapped_column(String(300))
    lemmas: Mapped[str | None] = mapped_column(Text)
    trefwoorden: Mapped[list | None]
    # Part-of-speech counts and noun phrases of the public text, for packs (nlp/woordsoorten.py).
    woordsoorten: Mapped[dict | None]

    # Resident's personal withdrawal code (only its hash) and the offline-resend idempotency key.
    intrekcode_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    inzend_sleutel: Mapped[str | None] = mapped_column(String(100), unique=True)

    # Where a transcript passage came from.
    transcript_id: Mapped[int | None] = mapped_column(
        ForeignKey("transcripten.id", ondelete="SET NULL"), index=True
    )
    transcript_positie: Mapped[int | None]
    transcript_tijd: Mapped[str | None] = mapped_column(String(50))
    spreker: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[str | None] = mapped_column(Text)

    ronde: Mapped[Ronde | None] = relationship()
    organisatie: Mapped[Organisatie | None] = relationship()
    ingediend_door: Mapped[Gebruiker | None] = relationship()
    tags: Mapped[list[Tag]] = relationship(back_populates="verhaal", cascade="all, delete-orphan", passive_deletes=True)
    zelfduiding_antwoorden: Mapped[list[ZelfduidingAntwoord]] = relationship(
        back_populates="verhaal", cascade="all, delete-orphan", passive_deletes=True
    )
    contactgegevens: Mapped[Contactgegevens | None] = relationship(
        back_populates="verhaal", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def weergavetitel(self) -> str:
        return self.titel_publiek or self.titel or f"Verhaal {self.id}"


class TagMethode:
    AUTO = "auto"
    HANDMATIG = "handmatig"


class Tag(TimestampMixin, Base):
    """A story linked to a subdoel (and optionally an indicator): a suggestion until confirmed."""

    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("verhaal_id", "subdoel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    verhaal_id: Mapped[int] = mapped_column(ForeignKey("verhalen.id", ondelete="CASCADE"), index=True)
    subdoel_id: Mapped[int] = mapped_column(ForeignKey("subdoelen.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int | None] = mapped_column(ForeignKey("indicatoren.id", ondelete="SET NULL"))
    score: Mapped[float] = mapped_column(default=1.0)
    methode: Mapped[str] = mapped_column(String(20), default=TagMethode.AUTO)
    bevestigd: Mapped[bool] = mapped_column(default=False)
    afgewezen: Mapped[bool] = mapped_column(default=False)
    beoordeeld_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruikers.id", ondelete="SET NULL"))
    beoordeeld_op: Mapped[datetime | None]

    verhaal: Mapped[Verhaal] = relationship(back_populates="tags")
    subdoel: Mapped[Subdoel] = relationship()
    indicator: Mapped[Indicator | None] = relationship()
    beoordeeld_door: Mapped[Gebruiker | None] = relationship()


class ZelfduidingAntwoord(Base):
    """The teller's own meaning of the story (one-tap questions on the public form)."""

    __tablename__ = "zelfduiding_antwoorden"

    id: Mapped[int] = mapped_column(primary_key=True)
    verhaal_id: Mapped[int] = mapped_column(ForeignKey("verhalen.id", ondelete="CASCADE"), index=True)
    vraag: Mapped[str] = mapped_column(String(50))
    antwoord: Mapped[str] = mapped_column(String(200))

    verhaal: Mapped[Verhaal] = relationship(back_populates="zelfduiding_antwoorden")


class Contactgegevens(TimestampMixin, Base):
    """Optional contact details for a follow-up conversation, kept apart from the story."""

    __tablename__ = "contactgegevens"

    id: Mapped[int] = mapped_column(primary_key=True)
    verhaal_id: Mapped[int] = mapped_column(ForeignKey("verhalen.id", ondelete="CASCADE"), unique=True)
    naam: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    telefoon: Mapped[str | None] = mapped_column(String(50))
    # The teller agreed to hear back what happened with the story (na-waarderen). Without it the
    # details are for a follow-up conversation only: no letter or e-mail about a panel's choice.
    terugkoppeling: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    verhaal: Mapped[Verhaal] = relationship(back_populates="contactgegevens")
