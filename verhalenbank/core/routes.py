"""Health check (the home page lives in ``verhalenbank.start``)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from verhalenbank.accounts.permissions import publiek
from verhalenbank.core.sqlite_rij import alleen_lezen
from verhalenbank.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/gezondheid")
@publiek
@alleen_lezen  # answers while a long write holds the queue
def gezondheid():
    db.session.execute(select(1))
    return jsonify(status="ok")
