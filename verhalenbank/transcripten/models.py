"""Transcript of a vertelsessie: the original file (access-controlled) and its proposed split."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.accounts.models import Gebruiker, Organisatie
from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.rondes.models import Ronde


class TranscriptStatus:
    VERWERKEN = "verwerken"
    TE_BEOORDELEN = "te beoordelen"
    OPGESLAGEN = "opgeslagen"
    MISLUKT = "mislukt"


class Transcript(TimestampMixin, Base):
    __tablename__ = "transcripten"
    # Erased ids are never handed out again (SQLite would reuse the highest one), so a new
    # record never inherits the audit trail of an erased one.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisaties.id", ondelete="SET NULL"), index=True
    )
    ronde_id: Mapped[int | None] = mapped_column(ForeignKey("rondes.id", ondelete="SET NULL"), index=True)
    # Shown to people only; never used as a path.
    origineel_naam: Mapped[str] = mapped_column(String(300))
    bestand: Mapped[str | None] = mapped_column(String(100), unique=True)
    formaat: Mapped[str] = mapped_column(String(10))
    activiteit: Mapped[str | None] = mapped_column(String(300))
    datum: Mapped[date | None]
    wijk: Mapped[str | None] = mapped_column(String(200))
    gespreksleider: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=TranscriptStatus.VERWERKEN)
    voortgang: Mapped[int] = mapped_column(default=0)
    fout: Mapped[str | None] = mapped_column(Text)
    melding: Mapped[str | None] = mapped_column(Text)
    voorstel: Mapped[dict | None]
    toestemming_bevestigd: Mapped[bool] = mapped_column(default=False)
    citeren: Mapped[bool] = mapped_column(default=False)
    geupload_door_id: Mapped[int | None] = mapped_column(ForeignKey("gebruikers.id", ondelete="SET NULL"))

    organisatie: Mapped[Organisatie | None] = relationship()
    ronde: Mapped[Ronde | None] = relationship()
    geupload_door: Mapped[Gebruiker | None] = relationship()
