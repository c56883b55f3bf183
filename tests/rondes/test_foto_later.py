"""A photo for a story sent earlier (e.g. offline, when the photo could not be queued):
the resident's withdrawal code shows it is their story."""

from __future__ import annotations

import io
import re

from PIL import Image
from sqlalchemy import select

from verhalenbank.extensions import db
from verhalenbank.media.models import Foto

from tests.rondes.test_formulier import form_data, jpeg_with_gps, ronde  # noqa: F401 - the ronde fixture


def _send_story(client) -> str:
    """Send a story without a photo; returns the withdrawal code from the thank-you page."""
    assert client.post("/r/buurtkamer-voorjaar", data=form_data()).status_code == 303
    html = client.get("/r/buurtkamer-voorjaar/bedankt").get_data(as_text=True)
    code = re.search(r'id="intrekcode">([0-9A-F-]+)<', html).group(1)
    assert f"/r/foto-toevoegen?code={code}" in html
    return code


def test_photo_is_added_later_with_the_code_and_stripped(client, ronde, app):  # noqa: F811
    code = _send_story(client)
    assert db.session.scalars(select(Foto)).all() == []
    pagina = client.get(f"/r/foto-toevoegen?code={code}")
    assert pagina.status_code == 200
    assert f'value="{code}"' in pagina.get_data(as_text=True)
    antwoord = client.post(
        "/r/foto-toevoegen", data={"code": code, "foto": (io.BytesIO(jpeg_with_gps()), "IMG_0002.JPG", "image/jpeg")},
    )
    assert antwoord.status_code == 200
    assert "Uw foto hoort nu bij uw verhaal" in antwoord.get_data(as_text=True)
    foto = db.session.scalars(select(Foto)).one()
    with Image.open(app.config["VERHALENBANK"].photo_dir / foto.bestand) as beeld:
        assert not beeld.getexif()


def test_wrong_code_adds_nothing(client, ronde):  # noqa: F811
    _send_story(client)
    antwoord = client.post(
        "/r/foto-toevoegen",
        data={"code": "0000-0000-0000", "foto": (io.BytesIO(jpeg_with_gps()), "a.jpg", "image/jpeg")},
    )
    assert antwoord.status_code == 400
    assert "Deze code kennen wij niet" in antwoord.get_data(as_text=True)
    assert db.session.scalars(select(Foto)).all() == []


def test_only_one_photo_per_story(client, ronde):  # noqa: F811
    code = _send_story(client)
    for verwacht in (200, 400):
        antwoord = client.post(
            "/r/foto-toevoegen", data={"code": code, "foto": (io.BytesIO(jpeg_with_gps()), "a.jpg", "image/jpeg")},
        )
        assert antwoord.status_code == verwacht
    assert "al een foto" in antwoord.get_data(as_text=True)
    assert len(db.session.scalars(select(Foto)).all()) == 1


def test_not_a_photo_is_refused_with_the_code_kept(client, ronde):  # noqa: F811
    code = _send_story(client)
    antwoord = client.post(
        "/r/foto-toevoegen", data={"code": code, "foto": (io.BytesIO(b"geen foto"), "a.jpg", "image/jpeg")},
    )
    assert antwoord.status_code == 400
    assert f'value="{code}"' in antwoord.get_data(as_text=True)
    assert db.session.scalars(select(Foto)).all() == []
