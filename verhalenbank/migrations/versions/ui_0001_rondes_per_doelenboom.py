"""Rondes belong to their own municipality's doelenboom.

Imports used to link a new ronde to every tree, so a Lelystad form offered Hoorn's goals. For
each ronde linked to every tree (when there is more than one), keep only the one tree whose
municipality, or the first word of its code, is a word of the ronde's slug or title; when no
single tree fits, leave the ronde as it is and report it, so a person chooses on the ronde page.

Revision ID: ui_0001
Revises: veilig_0002
"""

from __future__ import annotations

import logging
import re

import sqlalchemy as sa
from alembic import op

revision = "ui_0001"
down_revision = "veilig_0002"
branch_labels = None
depends_on = None

logger = logging.getLogger("alembic.runtime.migration")


def _woorden(tekst: str | None) -> set[str]:
    return set(re.findall(r"[a-z]+", (tekst or "").lower()))


def upgrade() -> None:
    bind = op.get_bind()
    bomen = bind.execute(sa.text("SELECT id, code, gemeente FROM doelenbomen")).fetchall()
    if len(bomen) < 2:
        return
    alle = {boom.id for boom in bomen}
    koppelingen: dict[int, set[int]] = {}
    for ronde_id, boom_id in bind.execute(sa.text("SELECT ronde_id, doelenboom_id FROM ronde_doelenbomen")):
        koppelingen.setdefault(ronde_id, set()).add(boom_id)
    for ronde in bind.execute(sa.text("SELECT id, slug, titel FROM rondes")).fetchall():
        if koppelingen.get(ronde.id) != alle:
            continue
        woorden = _woorden(ronde.slug) | _woorden(ronde.titel)
        passend = [
            boom for boom in bomen
            if (_woorden(boom.gemeente) | {boom.code.split("-")[0].lower()}) & woorden
        ]
        if len(passend) != 1:
            logger.warning(
                "ronde %s is linked to every doelenboom and no single tree fits its name: "
                "choose its tree on the ronde page", ronde.slug,
            )
            continue
        bind.execute(
            sa.text("DELETE FROM ronde_doelenbomen WHERE ronde_id = :ronde AND doelenboom_id <> :boom"),
            {"ronde": ronde.id, "boom": passend[0].id},
        )
        logger.warning("ronde %s: now linked only to doelenboom %s", ronde.slug, passend[0].code)


def downgrade() -> None:
    # Which trees were linked before is not kept: linking every tree again is the old defect.
    pass
