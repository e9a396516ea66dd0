"""Uploaded photos against real images made here with Pillow: what is stored, and what is refused."""

from __future__ import annotations

import io
import random
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

import pytest
import weasyprint  # noqa: F401  the app imports it, and it sets ImageFile.LOAD_TRUNCATED_IMAGES for the whole process
from PIL import Image, ImageFile

from audit import photos

WHITE = (255, 255, 255)
BLUE = (20, 40, 200)


def noisy(size: tuple[int, int], mode: str = "RGB", seed: int = 0) -> Image.Image:
    """Blurred noise: it compresses about as badly as a photo does."""
    small = (max(1, size[0] // 8), max(1, size[1] // 8))
    grain = random.Random(seed).randbytes(small[0] * small[1] * len(mode))
    return Image.frombytes(mode, small, grain).resize(size, Image.Resampling.BICUBIC)


def encoded(image: Image.Image, format: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format, **params)
    return out.getvalue()


def png(width: int, height: int, depth: int, colour_type: int, rows: Iterable[bytes]) -> bytes:
    """A PNG written by hand, for what Pillow cannot write: 16-bit colour, and bombs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(b"\0" + row) for row in rows) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def stored(raw: bytes) -> Image.Image:
    result = photos.process(raw)
    image = Image.open(io.BytesIO(result.data))
    assert (image.format, image.size) == ("JPEG", (result.width, result.height))
    return image


def near(pixel: object, expected: tuple[int, ...], tolerance: int = 10) -> bool:
    assert isinstance(pixel, tuple)
    return all(abs(got - want) <= tolerance for got, want in zip(pixel, expected, strict=True))


@pytest.fixture(params=[False, True], ids=["flag off", "flag on, as after import weasyprint"])
def load_truncated_images(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.param:
        assert ImageFile.LOAD_TRUNCATED_IMAGES, "importing weasyprint (above) turns it on"
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", request.param)


def cut(raw: bytes) -> bytes:
    return raw[: len(raw) * 2 // 3]


def damaged(raw: bytes) -> bytes:
    middle = len(raw) // 2
    return raw[:middle] + random.Random(1).randbytes(1024) + raw[middle + 1024 :]


PHOTO = noisy((800, 600))
BROKEN = [
    ("baseline JPEG cut short", cut(encoded(PHOTO, "JPEG", quality=90))),
    ("progressive JPEG cut short", cut(encoded(PHOTO, "JPEG", quality=90, progressive=True))),
    ("JPEG without its end marker", encoded(PHOTO, "JPEG", quality=90)[:-2]),
    ("PNG cut short", cut(encoded(PHOTO, "PNG"))),
    ("WebP cut short", cut(encoded(PHOTO, "WEBP"))),
    ("JPEG damaged in the middle", damaged(encoded(PHOTO, "JPEG", quality=90))),
    ("progressive JPEG damaged in the middle", damaged(encoded(PHOTO, "JPEG", quality=90, progressive=True))),
    ("PNG damaged in the middle", damaged(encoded(PHOTO, "PNG"))),
    ("WebP damaged in the middle", damaged(encoded(PHOTO, "WEBP"))),
]


@pytest.mark.usefixtures("load_truncated_images")
@pytest.mark.parametrize("raw", [raw for _, raw in BROKEN], ids=[name for name, _ in BROKEN])
def test_truncated_or_damaged_images_are_refused(raw: bytes) -> None:
    with pytest.raises(photos.BadImage, match="damaged or incomplete"):
        photos.process(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (png(7700, 7700, 8, 6, [bytes(7700 * 4)] * 7700), "7700 × 7700 pixels is more than the 12 megapixels a PNG photo may have"),
        (png(4000, 3001, 8, 2, []), "4000 × 3001 pixels is more than the 12 megapixels a PNG"),
        (png(20000, 20000, 8, 6, []), "more than the 40 megapixels"),
    ],
    ids=["230 KB PNG of 7700 × 7700", "PNG just over the lossless budget", "PNG beyond Pillow's own bomb limit"],
)
def test_pixel_bombs_are_refused_from_the_header(raw: bytes, message: str) -> None:
    with pytest.raises(photos.BadImage, match=message):
        photos.process(raw)


def half_transparent(mode: str) -> Image.Image:
    """Left half fully transparent (black underneath), right half opaque blue."""
    image = Image.new("RGBA", (200, 100), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (100, 100), (*BLUE, 255)), (100, 0))
    if mode == "P":
        return image.convert("P")  # a palette with alpha
    return image.convert(mode)


def rgba16(width: int, height: int) -> bytes:
    clear = struct.pack(">HHHH", 0, 0, 0, 0) * (width // 2)
    blue = struct.pack(">HHHH", *(value * 257 for value in BLUE), 65535) * (width // 2)
    return png(width, height, 16, 6, [clear + blue] * height)


@pytest.mark.parametrize(
    ("raw", "opaque"),
    [
        (encoded(half_transparent("RGBA"), "PNG"), BLUE),
        (encoded(half_transparent("LA"), "PNG"), half_transparent("L").getpixel((150, 50))),
        (encoded(half_transparent("P"), "PNG"), BLUE),
        (encoded(half_transparent("RGB"), "PNG", transparency=(0, 0, 0)), BLUE),
        (encoded(half_transparent("RGBA"), "WEBP", lossless=True), BLUE),
        (rgba16(200, 100), BLUE),
    ],
    ids=["RGBA PNG", "grey + alpha PNG", "palette PNG with alpha", "RGB PNG with a transparent colour", "RGBA WebP", "16-bit RGBA PNG"],
)
def test_transparent_areas_become_white(raw: bytes, opaque: tuple[int, ...] | int) -> None:
    image = stored(raw)
    assert near(image.getpixel((40, 50)), WHITE)
    expected = opaque if isinstance(opaque, tuple) else (opaque,) * 3
    assert near(image.getpixel((160, 50)), expected)


def grey16(values: list[int]) -> bytes:
    image = Image.new("I;16", (100 * len(values), 50))
    for band, value in enumerate(values):
        image.paste(Image.new("I;16", (100, 50), value), (band * 100, 0))
    return encoded(image, "PNG")


@pytest.mark.parametrize(
    ("raw", "bands"),
    [
        (grey16([0, 32768, 65535]), [(0, 0, 0), (128, 128, 128), WHITE]),
        (png(300, 50, 16, 2, [struct.pack(">HHH", 65535, 32768, 0) * 300] * 50), [(255, 128, 0)] * 3),
    ],
    ids=["16-bit grey PNG", "16-bit RGB PNG"],
)
def test_16_bit_images_keep_their_tones(raw: bytes, bands: list[tuple[int, int, int]]) -> None:
    image = stored(raw)
    for band, expected in enumerate(bands):
        assert near(image.getpixel((band * 100 + 50, 25)), expected, tolerance=3), band


def test_a_multi_picture_jpeg_keeps_its_first_frame() -> None:
    first, second = Image.new("RGB", (640, 480), BLUE), Image.new("RGB", (640, 480), (230, 200, 20))
    raw = encoded(first, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(raw)).format == "MPO"
    image = stored(raw)
    assert image.size == (640, 480)
    assert near(image.getpixel((320, 240)), BLUE)


def test_a_12_megapixel_photo_comes_out_upright_at_the_largest_side() -> None:
    taken = noisy((4000, 3000))
    taken.paste((255, 0, 0), (0, 0, 400, 400))  # top left as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # show turned 90° clockwise: the red corner belongs top right
    raw = encoded(taken, "JPEG", quality=90, exif=exif)
    result = photos.process(raw)
    image = Image.open(io.BytesIO(result.data))
    assert image.size == (result.width, result.height) == (1200, 1600)
    assert near(image.getpixel((1150, 50)), (255, 0, 0), tolerance=40)
    assert not near(image.getpixel((50, 50)), (255, 0, 0), tolerance=40)
    assert Image.open(io.BytesIO(result.thumb)).size == (360, 480)


def with_location(format: str) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (31.0, 12.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>31,12N</exif:GPSLatitude></x:xmpmeta>'
    extra = {"xmp": xmp, "comment": b"PhoneMaker at 31.2N 121.5E"} if format == "JPEG" else {}
    return encoded(noisy((640, 480)), format, exif=exif, **extra)


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_exif_and_location_are_gone(format: str) -> None:
    raw = with_location(format)
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    result = photos.process(raw)
    for data in (result.data, result.thumb):
        assert not Image.open(io.BytesIO(data)).getexif()
        assert b"PhoneMaker" not in data and b"GPS" not in data


@pytest.mark.parametrize(
    "raw",
    [
        encoded(PHOTO, "JPEG", restart_marker_blocks=4),
        encoded(PHOTO, "JPEG", progressive=True, restart_marker_rows=1),
        encoded(PHOTO, "JPEG") + b"\0\0\0\x18ftypmp42" + bytes(4096),
        encoded(PHOTO.convert("CMYK"), "JPEG"),
        encoded(PHOTO.convert("L"), "JPEG"),
        encoded(Image.new("RGB", (1, 1)), "JPEG"),
    ],
    ids=["restart markers", "progressive with restart markers", "a video after the end", "CMYK", "grey", "1 × 1"],
)
def test_whole_jpegs_are_accepted(raw: bytes) -> None:
    assert stored(raw).size == Image.open(io.BytesIO(raw)).size


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (encoded(PHOTO, "GIF"), "GIF images are not accepted"),
        (encoded(PHOTO, "BMP"), "BMP images are not accepted"),
        (encoded(PHOTO, "TIFF"), "TIFF images are not accepted"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image"),
    ],
    ids=["GIF", "BMP", "TIFF", "SVG"],
)
def test_other_formats_are_refused(raw: bytes, message: str) -> None:
    with pytest.raises(photos.BadImage, match=message):
        photos.process(raw)


def decoding(frame: FrameType | None) -> bool:
    while frame is not None:
        if frame.f_code is ImageFile.ImageFile.load.__code__:
            return True
        frame = frame.f_back
    return False


def test_at_most_two_photos_are_decoded_at_once() -> None:
    """Six uploads at once, watched from outside: a thread is decoding while Pillow's
    ImageFile.load is on its stack (the pixel work runs in C, without the GIL, so the
    watcher gets to look). Without the bound all six are seen decoding together."""
    raw = encoded(noisy((1600, 1200)), "PNG", compress_level=1)
    counts: list[int] = []
    finished = threading.Event()

    def watch() -> None:
        while not finished.is_set():
            counts.append(sum(decoding(frame) for frame in sys._current_frames().values()))
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(6) as pool:
            results = list(pool.map(lambda _: photos.process(raw), range(6)))
    finally:
        finished.set()
        watcher.join()
    assert {(result.width, result.height) for result in results} == {(1600, 1200)}
    assert max(counts) == 2
