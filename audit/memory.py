"""Handing freed memory back to the system after the two big jobs a server does: a PDF
layout and a photo decode.

glibc keeps freed heap for reuse, and after a large buffer is freed it raises the size at
which it maps buffers of their own, so later decodes land in the heap too and stay there. A
server process that decoded a few 12-MP photos or laid out a few reports stayed tens of MB
larger for the rest of its life (seen: 132 MB against 100 MB after 40 reports).
"""

from __future__ import annotations

import ctypes


def give_back() -> None:
    """Returns the free heap to the system (glibc's malloc_trim); a no-op on other C libraries."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
