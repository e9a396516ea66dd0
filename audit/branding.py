"""Who a report is from: the brand's name, logo and accent colour, checked once at start-up."""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_ACCENT = "#1f5fa8"
_ACCENT = re.compile(r"#[0-9a-fA-F]{6}")
_LOGO_TYPES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


@dataclass(frozen=True)
class Branding:
    """Who the report is from: a name (default: the product's, in the reader's language),
    an optional PNG or JPEG logo, an accent colour #rrggbb."""

    name: str = ""
    logo: bytes | None = field(default=None, repr=False)
    logo_type: str = ""
    accent: str = DEFAULT_ACCENT

    @classmethod
    def load(cls, name: str = "", logo_path: Path | None = None, accent: str = DEFAULT_ACCENT) -> Branding:
        if not _ACCENT.fullmatch(accent):
            raise ValueError(f"the accent colour must be #rrggbb, not {accent!r}")
        if logo_path is None:
            return cls(name, None, "", accent)
        data = Path(logo_path).read_bytes()
        kind = next((mime for magic, mime in _LOGO_TYPES if data.startswith(magic)), None)
        if kind is None:
            raise ValueError(f"the logo {logo_path} must be a PNG or JPEG file")
        return cls(name, data, kind, accent)

    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.name}\0{self.accent}\0".encode() + (self.logo or b"")).hexdigest()

    def data_uri(self) -> str | None:
        return f"data:{self.logo_type};base64,{b64encode(self.logo).decode()}" if self.logo else None
