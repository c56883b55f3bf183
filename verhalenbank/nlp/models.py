"""Metadata of the trained tagger model per doelenboom (the model file lives in the data dir)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from verhalenbank.core.models import Base, TimestampMixin
from verhalenbank.doelenbomen.models import Doelenboom


class TaggerModel(TimestampMixin, Base):
    __tablename__ = "tagger_modellen"

    id: Mapped[int] = mapped_column(primary_key=True)
    doelenboom_id: Mapped[int] = mapped_column(
        ForeignKey("doelenbomen.id", ondelete="CASCADE"), unique=True
    )
    pad: Mapped[str | None] = mapped_column(String(300))
    getraind_op: Mapped[datetime | None]
    gegevens: Mapped[dict | None]
    # Set when confirmed data changes in a way the model must forget (erasure, tree edits).
    moet_hertrainen: Mapped[bool] = mapped_column(default=False)

    doelenboom: Mapped[Doelenboom] = relationship()
