"""Photos as the store keeps them: upright, at most 1600 px, without EXIF (and so without
location), plus a small thumbnail made once for reports."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 1600
THUMB_SIDE = 480
MAX_PIXELS = 60_000_000


@dataclass(frozen=True)
class Processed:
    data: bytes
    thumb: bytes
    width: int
    height: int


class BadImage(ValueError):
    pass


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def process(raw: bytes) -> Processed:
    """Decodes an uploaded photo and re-encodes it; refuses what is not a sane image."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as opened:
                if opened.format not in ("JPEG", "PNG", "WEBP"):
                    raise BadImage(f"{opened.format} images are not accepted; send JPEG, PNG or WebP")
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise BadImage(f"not a usable image: {error}") from None
    except (OSError, SyntaxError, ValueError) as error:
        if isinstance(error, BadImage):
            raise
        raise BadImage(f"the image cannot be decoded: {error}") from None
    image = image.convert("RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    return Processed(_jpeg(image, 85), _jpeg(thumb, 80), image.width, image.height)
