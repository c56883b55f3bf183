"""Photo intake cost: our full processing vs. a bare Pillow decode + resize of the same photo.

A 12-megapixel phone photo (4032×3024 JPEG with EXIF) is processed N times by
`media.images.prepare_photo` (decode with JPEG draft scaling, orientation, sRGB, strip, resize to
1600 px, thumbnail, encode both) and by a baseline that only opens, fully decodes and resizes to
1600 px. Prints JSON with seconds per photo for both, the ratio, and peak memory (RSS) of the
process after each phase.

    .venv/bin/python benchmarks/bench_foto.py [N]
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
from pathlib import Path

from PIL import ExifTags, Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from verhalenbank.media.images import MAX_SIDE, prepare_photo  # noqa: E402


def phone_photo() -> bytes:
    # A gradient, so the JPEG is a realistic size rather than one flat colour.
    image = Image.linear_gradient("L").resize((4032, 3024)).convert("RGB")
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (52.0, 1.0, 2.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, exif=exif)
    return buffer.getvalue()


def baseline(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    image.load()
    image.thumbnail((MAX_SIDE, MAX_SIDE))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(function, data: bytes, rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        function(data)
    return (time.perf_counter() - start) / rounds


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    data = phone_photo()
    ours = timed(prepare_photo, data, rounds)
    ours_peak = peak_rss_mb()
    base = timed(baseline, data, rounds)
    print(json.dumps({
        "photo_bytes": len(data),
        "rounds": rounds,
        "prepare_photo_s": round(ours, 4),
        "baseline_decode_resize_s": round(base, 4),
        "ratio_ours_to_baseline": round(ours / base, 2),
        "peak_rss_mb_after_ours": round(ours_peak, 1),
        "peak_rss_mb_after_baseline": round(peak_rss_mb(), 1),
    }, indent=2))


if __name__ == "__main__":
    main()
