"""Photos as the store keeps them: upright, at most 1600 px, without EXIF (and so without
location), plus a small thumbnail made once for reports."""

from __future__ import annotations

import io
import re
import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from . import memory

MAX_SIDE = 1600
THUMB_SIDE = 480
MAX_PIXELS = 40_000_000
# PNG and WebP have no draft mode: they are decoded whole, 4 bytes a pixel and copies on the
# way, so they get a smaller budget (a phone's screenshot is under 5 MP, its camera writes JPEG).
MAX_LOSSLESS_PIXELS = 12_000_000
"""Phones take 12-24 MP by default and the app downscales on the phone, so more than this is a
pixel bomb or a 48-200 MP original. A PNG or WebP this size, decoded whole, still peaks at 200-700 MB."""

_DECODES = threading.BoundedSemaphore(2)
"""Decoded pixels take far more memory than the upload (up to 4 bytes a pixel, and conversions as
much again), so only two photos are decoded at a time and memory stays bounded however many
uploads arrive at once; the others wait their turn."""


@dataclass(frozen=True)
class Processed:
    data: bytes
    thumb: bytes
    width: int
    height: int


class BadImage(ValueError):
    pass


_SEGMENT = re.compile(rb"\xff+([\xc0-\xcf\xd9-\xfe])")  # after fill bytes: not SOI, RSTn or a reserved code
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


def _jpeg_complete(raw: bytes) -> bool:
    """Walks the segments to the first end-of-image marker: Pillow pads a cut-short JPEG with
    grey when ImageFile.LOAD_TRUNCATED_IMAGES is on, and importing WeasyPrint turns it on for the
    whole process. Entropy-coded data runs to the next marker that is neither stuffing (FF00)
    nor a restart (FFD0-FFD7); progressive files have several scans. Stopping at the first EOI
    keeps the first frame of an MPO and the extras phones append after it."""
    if not raw.startswith(b"\xff\xd8"):
        return False
    pos = 2
    while segment := _SEGMENT.match(raw, pos):
        marker, pos = segment[1], segment.end()
        if marker == b"\xd9":
            return True
        length = int.from_bytes(raw[pos : pos + 2])
        if length < 2:
            return False
        pos += length
        if marker == b"\xda":
            scan_end = _SCAN_END.search(raw, pos)
            if scan_end is None:
                return False
            pos = scan_end.start()
    return False


def _png_complete(raw: bytes) -> bool:
    """Every chunk whole and matching its CRC up to IEND; Pillow's own verify() lets broken
    ancillary chunks through when ImageFile.LOAD_TRUNCATED_IMAGES is on."""
    view = memoryview(raw)
    pos = 8
    while pos + 12 <= len(raw):
        length, kind = struct.unpack_from(">I4s", raw, pos)
        end = pos + 12 + length
        if end > len(raw) or zlib.crc32(view[pos + 4 : end - 4]) != int.from_bytes(view[end - 4 : end]):
            return False
        if kind == b"IEND":
            return True
        pos = end
    return False


_COMPLETE: dict[str, Callable[[bytes], bool] | None] = {
    "JPEG": _jpeg_complete,
    "MPO": _jpeg_complete,
    "PNG": _png_complete,
    "WEBP": None,
}
"""How to tell each accepted format is whole; libwebp itself refuses a cut-short WebP on opening."""


def _opened(raw: bytes) -> ImageFile.ImageFile:
    """Reads only the header, so that what is refused here costs no decoding. Pillow's own bomb
    check comes first for sizes far beyond ours: an error, or a warning that strict filters raise."""
    try:
        opened = Image.open(io.BytesIO(raw))
    except UnidentifiedImageError:
        raise BadImage("not an image; send JPEG, PNG or WebP") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise BadImage(f"the image has more than the {MAX_PIXELS // 1_000_000} megapixels a photo may have") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise BadImage(f"the image file is damaged or incomplete ({error})") from None
    if opened.format not in _COMPLETE:
        raise BadImage(f"{opened.format} images are not accepted; send JPEG, PNG or WebP")
    width, height = opened.size
    budget = MAX_PIXELS if opened.format in ("JPEG", "MPO") else MAX_LOSSLESS_PIXELS
    if width * height > budget:
        raise BadImage(f"{width} × {height} pixels is more than the {budget // 1_000_000} megapixels a {opened.format} photo may have")
    complete = _COMPLETE[opened.format]
    if complete is not None and not complete(raw):
        raise BadImage("the image file is damaged or incomplete")
    return opened


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    scale = min(1.0, side / max(size))
    return max(1, int(size[0] * scale)), max(1, int(size[1] * scale))


def _on_white(image: Image.Image) -> Image.Image:
    """Transparent areas become white paper, as a browser shows them, not the black that usually
    hides under alpha 0. 16-bit grey keeps its high byte, as Pillow does for 16-bit colour,
    where a plain convert would clip it to white."""
    if image.mode.startswith("I;16"):
        image = image.point(lambda value: value / 256)
    if image.has_transparency_data:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba)
    return image if image.mode == "RGB" else image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    """Pixels only: left to itself, Pillow copies the upload's JPEG comment, which may say anything."""
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, comment=b"")
    return out.getvalue()


def process(raw: bytes) -> Processed:
    """Refuses what is not a whole, sane photo before paying for its pixels, then decodes it
    (a JPEG at the smallest DCT scale still at least MAX_SIDE, as it is downscaled anyway)
    and re-encodes it; an MPO keeps its first frame."""
    with _opened(raw) as opened, _DECODES:
        opened.draft(None, _fitted(opened.size, MAX_SIDE))
        try:
            opened.load()
            ImageOps.exif_transpose(opened, in_place=True)
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise BadImage(f"the image file is damaged or incomplete ({error})") from None
        image = _on_white(opened)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        thumb = image.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
        processed = Processed(_jpeg(image, 85), _jpeg(thumb, 80), image.width, image.height)
    del image, thumb
    memory.give_back()
    return processed
