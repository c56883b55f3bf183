"""Photos sent with a story; files live under the data dir with random names."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.verhalen.models import Verhaal


class Foto(TimestampMixin, Base):
    __tablename__ = "fotos"

    id: Mapped[int] = mapped_column(primary_key=True)
    verhaal_id: Mapped[int] = mapped_column(ForeignKey("verhalen.id", ondelete="CASCADE"), index=True)
    bestand: Mapped[str] = mapped_column(String(100), unique=True)
    miniatuur: Mapped[str] = mapped_column(String(100), unique=True)
    breedte: Mapped[int]
    hoogte: Mapped[int]

    verhaal: Mapped[Verhaal] = relationship()
