"""Turning an uploaded photo into clean, resized JPEG files.

A photo from a phone carries more than pixels: EXIF (GPS position, time, phone model), XMP and
sometimes a thumbnail of the uncropped original. We never store the upload itself: we decode it,
apply the EXIF orientation, convert to sRGB, and encode fresh pixels into a new JPEG without any
metadata. The work is split in two steps so a caller can refuse a bad photo *before* it stores
anything (``prepare_photo``, all the work that can fail) and write the files afterwards
(``save_prepared_photo``, only file writes).
"""

from __future__ import annotations

import io
import threading
import os
import secrets
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, ImageFile, ImageOps, UnidentifiedImageError

try:  # iPhone photos (HEIC); optional so the rest keeps working without libheif.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF_AVAILABLE = False

MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# 50 megapixels covers every phone camera we know of (48 MP iPhone main camera) while an image
# that claims more is refused before its pixels are decoded (decompression bomb).
MAX_PIXELS = 50_000_000
MAX_SIDE = 1600
THUMBNAIL_SIDE = 480
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
ACCEPTED_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
# For the <input accept=...> attribute of upload forms.
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic,.heif"

MESSAGE_TOO_BIG = "De foto is te groot. Een foto mag hoogstens 15 MB zijn."
MESSAGE_EMPTY = "Het bestand is leeg. Kies een andere foto."
MESSAGE_NOT_AN_IMAGE = (
    "Dit bestand is geen foto die wij kunnen lezen. "
    "Kies een foto van het type JPG, PNG, WebP of HEIC (iPhone)."
)
MESSAGE_UNSUPPORTED = (
    "Dit soort afbeelding kunnen wij niet gebruiken. "
    "Kies een foto van het type JPG, PNG, WebP of HEIC (iPhone)."
)
MESSAGE_BOMB = "Deze foto heeft te veel beeldpunten. Kies een kleinere foto."
MESSAGE_DAMAGED = "De foto is beschadigd of niet helemaal verstuurd. Probeer het nog eens of kies een andere foto."


class FotoFout(ValueError):
    """A photo we refuse; ``str(error)`` is a plain Dutch message meant for the resident."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PreparedPhoto:
    """A processed photo held in memory: clean JPEG bytes, not yet on disk."""

    jpeg: bytes
    thumbnail_jpeg: bytes
    width: int
    height: int


@dataclass(frozen=True)
class StoredPhoto:
    """File names (relative to the photo dir) and size of a photo written to disk."""

    bestand: str
    miniatuur: str
    breedte: int
    hoogte: int


def read_upload(stream: BinaryIO, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """Read at most ``limit`` bytes; a larger upload is refused without reading all of it."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FotoFout(MESSAGE_TOO_BIG)
    if not data:
        raise FotoFout(MESSAGE_EMPTY)
    return data


def prepare_photo(upload: bytes | BinaryIO) -> PreparedPhoto:
    """Validate and process an upload; raises FotoFout for anything we don't accept."""
    data = upload if isinstance(upload, bytes) else read_upload(upload)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FotoFout(MESSAGE_TOO_BIG)
    if not data:
        raise FotoFout(MESSAGE_EMPTY)

    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; treat the warning as refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = _open_and_decode(data)
        except FotoFout:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise FotoFout(MESSAGE_BOMB) from None
        except UnidentifiedImageError:
            message = MESSAGE_UNSUPPORTED if _looks_like_other_image(data) else MESSAGE_NOT_AN_IMAGE
            raise FotoFout(message) from None
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError):
            # Truncated or corrupt files surface as any of these from the decoders.
            raise FotoFout(MESSAGE_DAMAGED) from None

    photo = _clean_copy(_fit_within(image, MAX_SIDE))
    thumbnail = _clean_copy(_fit_within(photo, THUMBNAIL_SIDE))
    return PreparedPhoto(
        jpeg=_encode_jpeg(photo, JPEG_QUALITY),
        thumbnail_jpeg=_encode_jpeg(thumbnail, THUMBNAIL_QUALITY),
        width=photo.width,
        height=photo.height,
    )


# File signatures of image types we refuse, only to pick the clearer message.
_OTHER_IMAGE_SIGNATURES = (b"GIF87a", b"GIF89a", b"BM", b"II*\x00", b"MM\x00*", b"8BPS", b"\x00\x00\x01\x00")


def _looks_like_other_image(data: bytes) -> bool:
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return True
    return data.startswith(_OTHER_IMAGE_SIGNATURES) or data.lstrip().startswith((b"<svg", b"<?xml"))


_DECODING_LOCK = threading.Lock()


@contextmanager
def _strict_decoding():
    """Refuse truncated files whatever the process-wide Pillow setting is: WeasyPrint (the pack
    PDFs) sets ImageFile.LOAD_TRUNCATED_IMAGES = True when imported, which would let a half
    upload through as a half-grey photo. Our stored photos are complete re-encodes, so the
    PDF renderer loses nothing while we hold the setting off."""
    with _DECODING_LOCK:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def _open_and_decode(data: bytes) -> Image.Image:
    # `formats` stops Pillow from trying every plugin it knows (e.g. PSD, TGA, EPS) on our input.
    image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    if image.format not in ACCEPTED_FORMATS:  # pragma: no cover - guarded by `formats`
        raise FotoFout(MESSAGE_UNSUPPORTED)
    width, height = image.size
    if width < 1 or height < 1:
        raise FotoFout(MESSAGE_NOT_AN_IMAGE)
    # Check the declared size ourselves before decoding: stricter than Pillow's global default,
    # and independent of whatever another module sets Image.MAX_IMAGE_PIXELS to.
    if width * height > MAX_PIXELS:
        raise FotoFout(MESSAGE_BOMB)
    if getattr(image, "n_frames", 1) > 1:
        image.seek(0)  # animated PNG/WebP: keep the first frame
    if image.format == "JPEG":
        # Let libjpeg decode at a reduced scale when the result is going to be shrunk anyway;
        # saves most of the memory for a 12 MP phone photo.
        image.draft("RGB", (MAX_SIDE, MAX_SIDE))
    with _strict_decoding():
        image.load()
    icc_profile = image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    image = _to_srgb(image, icc_profile)
    return _to_rgb(image)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white (JPEG has no alpha) and bring every mode to RGB."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I"):
        # 16-bit greyscale PNG: scale down to 8 bits instead of clipping to white.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L").convert("RGB")
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _to_srgb(image: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert wide-gamut photos (iPhone Display P3) to sRGB so we can drop the profile.

    The profile itself is dropped with all other metadata: an ICC blob can name a device, and
    sRGB is what every browser assumes for an untagged JPEG.
    """
    if not icc_profile or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
        return ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile is not worth refusing the photo for


def _fit_within(image: Image.Image, max_side: int) -> Image.Image:
    if max(image.size) <= max_side:
        return image
    resized = image.copy()
    resized.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return resized


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image made from the pixels alone, so no `info` (exif, xmp, comments) can follow."""
    return Image.frombytes("RGB", image.size, image.convert("RGB").tobytes())


def _encode_jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def save_prepared_photo(prepared: PreparedPhoto, photo_dir: Path) -> StoredPhoto:
    """Write both files under random names; the upload's own name is never used."""
    photo_dir = Path(photo_dir)
    photo_dir.mkdir(parents=True, exist_ok=True)
    bestand = _write_new_file(photo_dir, prepared.jpeg)
    try:
        miniatuur = _write_new_file(photo_dir, prepared.thumbnail_jpeg)
    except OSError:
        _remove_quietly(photo_dir / bestand)
        raise
    return StoredPhoto(bestand=bestand, miniatuur=miniatuur, breedte=prepared.width, hoogte=prepared.height)


def store_photo(upload: bytes | BinaryIO, photo_dir: Path) -> StoredPhoto:
    """Convenience: prepare and save in one go (for callers that have nothing to commit first)."""
    return save_prepared_photo(prepare_photo(upload), photo_dir)


def delete_photo_files(photo_dir: Path, *names: str | None) -> None:
    """Remove stored files by name; names are checked so a bad value can't escape the photo dir."""
    for name in names:
        if name and is_stored_name(name):
            _remove_quietly(Path(photo_dir) / name)


def is_stored_name(name: str) -> bool:
    """True for names this module generates (32 hex chars + .jpg); used before touching disk."""
    stem, dot, extension = name.partition(".")
    return (
        dot == "."
        and extension == "jpg"
        and len(stem) == 32
        and all(char in "0123456789abcdef" for char in stem)
    )


def _write_new_file(photo_dir: Path, content: bytes) -> str:
    name = f"{secrets.token_hex(16)}.jpg"
    # O_EXCL: never overwrite, even in the astronomically unlikely case of a name collision;
    # 0o640: photos are personal data, not world-readable.
    fd = os.open(photo_dir / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
    except OSError:
        _remove_quietly(photo_dir / name)
        raise
    return name


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
