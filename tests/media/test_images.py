"""Photo processing: formats, orientation, metadata stripping, size limits, storage names."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pillow_heif
import pytest
from PIL import ExifTags, Image, ImageCms

from verhalenbank.media import images
from verhalenbank.media.images import (
    MAX_SIDE,
    THUMBNAIL_SIDE,
    FotoFout,
    delete_photo_files,
    is_stored_name,
    prepare_photo,
    save_prepared_photo,
    store_photo,
)

GPS_POSITION = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (52.0, 31.0, 12.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (5.0, 28.0, 40.25),
}
ORIENTATION_ROTATE_90_CW = 6


def phone_exif(orientation: int = ORIENTATION_ROTATE_90_CW) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Apple"
    exif[ExifTags.Base.Model] = "iPhone 13 mini"
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.IFD.GPSInfo] = GPS_POSITION
    return exif


def red_left_blue_right(width: int = 400, height: int = 200) -> Image.Image:
    image = Image.new("RGB", (width, height), (220, 20, 20))
    image.paste((20, 20, 220), (width // 2, 0, width, height))
    return image


def jpeg_with_gps_and_orientation() -> bytes:
    buffer = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>GeheimeLocatie</rdf:RDF></x:xmpmeta>'
    red_left_blue_right().save(buffer, "JPEG", exif=phone_exif(), xmp=xmp, comment=b"Jan Jansen")
    data = buffer.getvalue()
    # Make sure the fixture really carries what we claim to strip.
    reopened = Image.open(io.BytesIO(data))
    assert reopened.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"GeheimeLocatie" in data and b"iPhone" in data
    return data


def jpeg_app_markers(data: bytes) -> list[int]:
    """The APPn segment markers (0xE0..0xEF) and COM (0xFE) in a JPEG, in file order."""
    markers, position = [], 2
    assert data[:2] == b"\xff\xd8"
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        if marker == 0xDA:  # start of scan: metadata segments all come before it
            break
        length = struct.unpack(">H", data[position + 2 : position + 4])[0]
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:
            markers.append(marker)
        position += 2 + length
    return markers


def assert_no_metadata(path: Path) -> None:
    data = path.read_bytes()
    assert jpeg_app_markers(data) == [0xE0], "only the JFIF header may remain"
    for secret in (b"Exif", b"GPS", b"iPhone", b"Apple", b"xmpmeta", b"GeheimeLocatie", b"Jan Jansen", b"ICC_PROFILE"):
        assert secret not in data
    with Image.open(path) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert "exif" not in image.info and "xmp" not in image.info and "icc_profile" not in image.info


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that *declares* a huge size but holds almost no data: a decompression bomb."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 1024)) + chunk(b"IEND", b"")


def test_jpeg_is_turned_upright_and_loses_gps_exif_xmp_and_comment(tmp_path):
    stored = store_photo(jpeg_with_gps_and_orientation(), tmp_path)

    # Orientation 6 means "rotate 90° clockwise to view": the 400×200 picture becomes 200×400
    # with its left (red) half on top.
    assert (stored.breedte, stored.hoogte) == (200, 400)
    with Image.open(tmp_path / stored.bestand) as image:
        assert image.size == (200, 400)
        top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
        assert top[0] > 180 and top[2] < 80, top
        assert bottom[2] > 180 and bottom[0] < 80, bottom
    assert_no_metadata(tmp_path / stored.bestand)
    assert_no_metadata(tmp_path / stored.miniatuur)


def test_iphone_heic_with_gps_is_converted_to_clean_jpeg(tmp_path):
    buffer = io.BytesIO()
    red_left_blue_right(640, 480).save(buffer, "HEIF", exif=phone_exif(orientation=1).tobytes(), quality=80)
    heic = buffer.getvalue()
    with Image.open(io.BytesIO(heic)) as original:
        assert original.format == "HEIF"
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)

    stored = store_photo(heic, tmp_path)

    assert (stored.breedte, stored.hoogte) == (640, 480)
    assert_no_metadata(tmp_path / stored.bestand)
    with Image.open(tmp_path / stored.bestand) as image:
        red = image.getpixel((100, 240))
        assert red[0] > 180 and red[2] < 80


def test_png_with_transparency_is_flattened_on_white(tmp_path):
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (50, 0, 100, 100))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", pnginfo=_png_text("Author", "Jan Jansen"))

    stored = store_photo(buffer.getvalue(), tmp_path)

    with Image.open(tmp_path / stored.bestand) as result:
        assert result.mode == "RGB"
        assert min(result.getpixel((10, 50))) > 240  # transparent → white
        green = result.getpixel((90, 50))
        assert green[1] > 100 and green[0] < 40
    assert_no_metadata(tmp_path / stored.bestand)


def _png_text(key: str, value: str):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def test_webp_with_exif_is_accepted_and_stripped(tmp_path):
    buffer = io.BytesIO()
    red_left_blue_right().save(buffer, "WEBP", exif=phone_exif(orientation=1))
    stored = store_photo(buffer.getvalue(), tmp_path)
    assert (stored.breedte, stored.hoogte) == (400, 200)
    assert_no_metadata(tmp_path / stored.bestand)


def test_sixteen_bit_greyscale_png_keeps_its_tones(tmp_path):
    image = Image.new("I;16", (64, 64), 32768)  # mid grey in 16 bits
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    stored = store_photo(buffer.getvalue(), tmp_path)
    with Image.open(tmp_path / stored.bestand) as result:
        assert 110 < result.getpixel((32, 32))[0] < 145


def test_embedded_colour_profile_is_applied_then_dropped(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), (200, 100, 50)).save(
        buffer, "JPEG", icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    )
    data = buffer.getvalue()
    assert b"ICC_PROFILE" in data
    stored = store_photo(data, tmp_path)
    assert_no_metadata(tmp_path / stored.bestand)
    with Image.open(tmp_path / stored.bestand) as result:
        red, green, blue = result.getpixel((16, 16))
        assert abs(red - 200) < 12 and abs(green - 100) < 12 and abs(blue - 50) < 12


def test_large_photo_is_resized_and_thumbnail_made(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (4032, 3024), (90, 140, 200)).save(buffer, "JPEG", quality=70)

    stored = store_photo(buffer.getvalue(), tmp_path)

    assert (stored.breedte, stored.hoogte) == (MAX_SIDE, 1200)
    with Image.open(tmp_path / stored.bestand) as photo:
        assert photo.size == (MAX_SIDE, 1200)
    with Image.open(tmp_path / stored.miniatuur) as thumbnail:
        assert max(thumbnail.size) == THUMBNAIL_SIDE
        assert thumbnail.size == (THUMBNAIL_SIDE, 360)


def test_small_photo_is_not_enlarged(tmp_path):
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(buffer, "PNG")
    stored = store_photo(buffer.getvalue(), tmp_path)
    assert (stored.breedte, stored.hoogte) == (300, 200)


def test_files_get_random_names_never_the_upload_name(tmp_path):
    data = jpeg_with_gps_and_orientation()
    first = store_photo(io.BytesIO(data), tmp_path)
    second = store_photo(io.BytesIO(data), tmp_path)

    names = {first.bestand, first.miniatuur, second.bestand, second.miniatuur}
    assert len(names) == 4
    assert all(is_stored_name(name) for name in names)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names)
    assert (tmp_path / first.bestand).stat().st_mode & 0o007 == 0  # not world-readable


def test_prepare_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    prepared = prepare_photo(jpeg_with_gps_and_orientation())
    assert list(tmp_path.iterdir()) == []
    stored = save_prepared_photo(prepared, tmp_path / "fotos")
    assert (tmp_path / "fotos" / stored.bestand).read_bytes() == prepared.jpeg


def test_delete_photo_files_only_touches_generated_names(tmp_path):
    stored = store_photo(jpeg_with_gps_and_orientation(), tmp_path / "fotos")
    outside = tmp_path / "geheim.txt"
    outside.write_text("blijf af")

    delete_photo_files(tmp_path / "fotos", stored.bestand, stored.miniatuur, "../geheim.txt", None)

    assert list((tmp_path / "fotos").iterdir()) == []
    assert outside.exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"Dit is een tekstbestand en geen foto.\n", images.MESSAGE_NOT_AN_IMAGE),
        (b"", images.MESSAGE_EMPTY),
        (b"GIF89a" + b"\x00" * 64, images.MESSAGE_UNSUPPORTED),
        (b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', images.MESSAGE_UNSUPPORTED),
    ],
    ids=["text-named-jpg", "empty", "gif", "svg"],
)
def test_non_photos_are_refused_in_dutch(tmp_path, content, message):
    upload = tmp_path / "vakantie.jpg"
    upload.write_bytes(content)
    with upload.open("rb") as stream, pytest.raises(FotoFout) as refused:
        store_photo(stream, tmp_path / "fotos")
    assert str(refused.value) == message
    assert not (tmp_path / "fotos").exists()


def test_real_gif_is_refused_as_unsupported():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), "red").save(buffer, "GIF")
    with pytest.raises(FotoFout, match="type JPG, PNG, WebP of HEIC"):
        prepare_photo(buffer.getvalue())


def test_truncated_jpeg_is_refused_as_damaged():
    data = jpeg_with_gps_and_orientation()
    with pytest.raises(FotoFout) as refused:
        prepare_photo(data[: len(data) // 2])
    assert str(refused.value) == images.MESSAGE_DAMAGED


def test_truncated_jpeg_is_refused_even_after_weasyprint_loosened_pillow(monkeypatch):
    from PIL import ImageFile

    import weasyprint  # noqa: F401 - importing it sets ImageFile.LOAD_TRUNCATED_IMAGES = True

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    data = jpeg_with_gps_and_orientation()
    with pytest.raises(FotoFout) as refused:
        prepare_photo(data[: len(data) // 2])
    assert str(refused.value) == images.MESSAGE_DAMAGED
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # the PDF renderer's setting is left as it was


def test_upload_over_15_mb_is_refused_without_reading_it_all():
    class CountingStream(io.BytesIO):
        bytes_read = 0

        def read(self, size=-1):
            chunk = super().read(size)
            self.bytes_read += len(chunk)
            return chunk

    stream = CountingStream(b"\xff\xd8" + b"\x00" * (20 * 1024 * 1024))
    with pytest.raises(FotoFout) as refused:
        prepare_photo(stream)
    assert str(refused.value) == images.MESSAGE_TOO_BIG
    assert "15 MB" in str(refused.value)
    assert stream.bytes_read <= images.MAX_UPLOAD_BYTES + 1

    with pytest.raises(FotoFout, match="te groot"):
        prepare_photo(b"\x00" * (images.MAX_UPLOAD_BYTES + 1))


@pytest.mark.parametrize(
    "width, height",
    [(8000, 8000), (40000, 40000)],
    ids=["above-our-limit", "above-pillows-own-limit"],
)
def test_decompression_bomb_is_refused_before_decoding(width, height):
    bomb = png_header_only(width, height)
    assert len(bomb) < 2000
    with pytest.raises(FotoFout) as refused:
        prepare_photo(bomb)
    # The DAMAGED message would mean we tried to decode the (missing) pixels.
    assert str(refused.value) == images.MESSAGE_BOMB


def test_pillow_global_limit_is_left_alone():
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(FotoFout):
        prepare_photo(png_header_only(40000, 40000))
    assert Image.MAX_IMAGE_PIXELS == before


def test_heif_support_is_registered():
    assert images.HEIF_AVAILABLE
    assert pillow_heif.__version__
