"""Accounts: organisations (aanbieders), users with a role, API tokens, login attempts, audit log."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin, utcnow


class Rol(str, enum.Enum):
    BEHEERDER = "beheerder"
    BELEIDSADVISEUR = "beleidsadviseur"
    FACILITATOR = "facilitator"
    AANBIEDER = "aanbieder"

    @property
    def label(self) -> str:
        return {
            "beheerder": "Beheerder",
            "beleidsadviseur": "Beleidsadviseur",
            "facilitator": "Facilitator",
            "aanbieder": "Aanbieder",
        }[self.value]


class Organisatie(TimestampMixin, Base):
    """An aanbieder: a welfare or care organisation funded by the municipality."""

    __tablename__ = "organisaties"

    id: Mapped[int] = mapped_column(primary_key=True)
    naam: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)

    gebruikers: Mapped[list[Gebruiker]] = relationship(back_populates="organisatie")


class Gebruiker(UserMixin, TimestampMixin, Base):
    __tablename__ = "gebruikers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    naam: Mapped[str] = mapped_column(String(200), default="")
    rol: Mapped[str] = mapped_column(String(30))
    organisatie_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisaties.id", ondelete="SET NULL"), index=True
    )
    wachtwoord_hash: Mapped[str | None] = mapped_column(String(300))
    actief: Mapped[bool] = mapped_column(default=True)
    laatst_ingelogd_op: Mapped[datetime | None]
    # Part of every session and remember cookie (see get_id): a new value on logout, a password
    # change or a reset ends every session made before it, on every device.
    sessie_sleutel: Mapped[str] = mapped_column(String(64), default=lambda: nieuwe_sessie_sleutel())

    organisatie: Mapped[Organisatie | None] = relationship(back_populates="gebruikers")

    def get_id(self) -> str:  # Flask-Login: what the session and remember cookie carry
        return f"{self.id}.{self.sessie_sleutel}"

    @property
    def rol_enum(self) -> Rol:
        return Rol(self.rol)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot log in
        return self.actief


def nieuwe_sessie_sleutel() -> str:
    return secrets.token_urlsafe(24)


class ApiToken(TimestampMixin, Base):
    """A personal API token for /api/v1 only; only a hash is stored, the token is shown once.

    It stops working at `verloopt_op`; an `alleen_lezen` token cannot change anything."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    gebruiker_id: Mapped[int] = mapped_column(ForeignKey("gebruikers.id", ondelete="CASCADE"), index=True)
    naam: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    laatst_gebruikt_op: Mapped[datetime | None]
    ingetrokken_op: Mapped[datetime | None]
    verloopt_op: Mapped[datetime | None]
    alleen_lezen: Mapped[bool] = mapped_column(default=False)

    gebruiker: Mapped[Gebruiker] = relationship()


class LoginPoging(Base):
    """Failed and successful logins, for throttling across server processes."""

    __tablename__ = "login_pogingen"

    id: Mapped[int] = mapped_column(primary_key=True)
    sleutel: Mapped[str] = mapped_column(String(300), index=True)
    tijdstip: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    gelukt: Mapped[bool] = mapped_column(default=False)


class AuditLog(Base):
    """Who viewed original text, exported or deleted what, and when (AVG accountability)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    tijdstip: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    gebruiker_id: Mapped[int | None] = mapped_column(
        ForeignKey("gebruikers.id", ondelete="SET NULL"), index=True
    )
    # The e-mail is kept as text too, so the trail survives a deleted account.
    gebruiker_email: Mapped[str | None] = mapped_column(String(254))
    actie: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(100))
    details: Mapped[dict | None]
    reden: Mapped[str | None] = mapped_column(Text)

    gebruiker: Mapped[Gebruiker | None] = relationship()
