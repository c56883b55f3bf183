"""Factories for accounts, trees, rondes and photos; they run inside an app context and commit.

Benchmarks may use them too.
"""

from __future__ import annotations

import io
import os

from tests.support.paths import DOELENBOMEN

WACHTWOORD = "geheim-wachtwoord-123"
GPS_POSITIE = {
    # Lelystad, as a phone would record it.
    "lat": (52.0, 31.0, 12.0),
    "lon": (5.0, 28.0, 40.0),
}


def make_gebruiker(rol: str = "beheerder", email: str | None = None, organisatie: str | None = None):
    """A committed account of `rol` with password WACHTWOORD; an aanbieder always has an organisation."""
    from verhalenbank.accounts import operations
    from verhalenbank.extensions import db

    org = operations.get_or_create_organisatie(organisatie) if organisatie else None
    if rol == "aanbieder" and org is None:
        org = operations.get_or_create_organisatie("Testorganisatie")
    gebruiker = operations.create_gebruiker(
        email or f"{rol}-{os.urandom(3).hex()}@test.nl", rol, wachtwoord=WACHTWOORD, organisatie=org
    )
    db.session.commit()
    return gebruiker


def import_voorbeeld_bomen():
    """The three example doelenbomen, imported and committed; returns them."""
    from verhalenbank.doelenbomen import operations
    from verhalenbank.extensions import db

    bomen = [boom for boom, _ in operations.import_doelenboom_files(sorted(DOELENBOMEN.glob("*.yaml")))]
    db.session.commit()
    return bomen


def lelystad(bomen):
    """Lelystad's tree among the imported example trees."""
    return next(boom for boom in bomen if boom.code.startswith("lelystad"))


def make_ronde(slug: str, *, boom=None, titel: str | None = None, **gegevens):
    """A committed ronde (on `boom`, a Doelenboom, when given); other RondeGegevens as keywords."""
    from verhalenbank.extensions import db
    from verhalenbank.rondes.operations import RondeGegevens, create_ronde

    if boom is not None:
        gegevens.setdefault("doelenboom_codes", [boom.code])
    ronde = create_ronde(RondeGegevens(slug=slug, titel=titel or slug.replace("-", " ").capitalize(), **gegevens))
    db.session.commit()
    return ronde


def jpeg_with_gps(size: tuple[int, int] = (2400, 1800), colour=(40, 120, 60), model: str = "iPhone 13") -> bytes:
    """A phone photo carrying a camera model and a GPS position in its EXIF."""
    from PIL import ExifTags, Image

    exif = Image.Exif()
    exif[ExifTags.Base.Model] = model
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: GPS_POSITIE["lat"],
        ExifTags.GPS.GPSLongitudeRef: "E", ExifTags.GPS.GPSLongitude: GPS_POSITIE["lon"],
    }
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def plain_jpeg(size: tuple[int, int] = (640, 480), colour=(200, 120, 60)) -> bytes:
    """A JPEG without metadata."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()
