"""What the phone's site search matches against, made here so that the phone stays small.

Each site gets one `search` string: its id and the names of the site, its branch and its region
in every language the organisation gives, and, for names in Chinese, their full pinyin and
pinyin initials ("徐家汇" → "xujiahui", "xjh"), all lowercased after NFKC (full-width letters
become plain ones), separated by spaces. The phone lowercases and NFKC-normalises what is typed,
splits it on spaces and shows a site when every word occurs in its string; a word holds no
space, so it never matches across two keys.

Pinyin needs pypinyin's phrase dictionary (重庆 is "chongqing", not "zhongqing"), which costs
about 55 MB in the process that loads it. A web process must not carry that for a screen the
phone fetches now and then: the pinyin is made in a short-lived child process, and kept per
web process for the names it was made for.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any

log = logging.getLogger("audit")
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
PINYIN_SECONDS = 30


def normalise(text: str) -> str:
    """As the phone normalises what is typed (static/js/catalog.js): NFKC, then lowercase."""
    return unicodedata.normalize("NFKC", text).lower()


def pinyin(names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Full pinyin and pinyin initials of each name, without spaces; run in the child process."""
    from pypinyin import Style, lazy_pinyin

    return {
        name: ("".join(lazy_pinyin(name)).replace(" ", ""), "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).replace(" ", ""))
        for name in names
    }


@functools.lru_cache(maxsize=4)
def _pinyin_of(names: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """`pinyin(names)` made in a child process, so its dictionary never stays in this one."""
    done = subprocess.run(
        [sys.executable, "-m", "audit.sitesearch"], input=json.dumps(names), capture_output=True, text=True, timeout=PINYIN_SECONDS, check=True
    )
    return {name: (full, initials) for name, (full, initials) in json.loads(done.stdout).items()}


def _names(site: dict[str, Any]) -> list[str]:
    return [name for part in (site, site["branch"], site["region"]) for name in part["name"].values()]


def with_keys(sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sites (as org.sites gives them), each with its `search` string."""
    chinese = tuple(sorted({name for site in sites for name in _names(site) if HAN.search(name)}))
    try:
        spoken = _pinyin_of(chinese) if chinese else {}
    except (OSError, subprocess.SubprocessError, ValueError) as error:  # the names still match; pinyin waits for the next fetch
        log.warning("site search: no pinyin this time (%s)", error)
        spoken = {}
    keyed = []
    for site in sites:
        keys = [site["id"], *_names(site)]
        keys += [form for name in _names(site) for form in spoken.get(name, ())]
        keyed.append({**site, "search": " ".join(dict.fromkeys(normalise(key) for key in keys))})
    return keyed


if __name__ == "__main__":
    json.dump(pinyin(json.load(sys.stdin)), sys.stdout, ensure_ascii=False)
