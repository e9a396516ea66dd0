"""A synthetic 150-item checklist in three languages, every scored response type mixed in,
shared by the benchmarks so they measure the same visits."""

from __future__ import annotations

import json
from typing import Any

from audit.model import Checklist
from audit.validate import check_bytes

_WHAT = [
    ("收银员主动问候并与顾客有眼神交流", "收銀員主動問候並與顧客有眼神交流", "The cashier greets first and makes eye contact"),
    ("货架价签与商品一一对应，价格清楚可读", "貨架價籤與商品一一對應，價格清楚可讀", "Shelf labels match the goods and the prices are easy to read"),
    ("员工被问到不清楚的问题时主动联系同事，不说“不知道”", "員工被問到不清楚的問題時主動聯繫同事，不說「不知道」", "Asked something they do not know, staff fetch a colleague and never say 'I don't know'"),
    ("通道畅通，地面干净干燥，没有纸箱挡路", "走道暢通，地面乾淨乾燥，沒有紙箱擋路", "Aisles are clear, floors clean and dry, no boxes in the way"),
    ("生鲜柜台员工佩戴口罩和手套，并在说话时后退两步", "生鮮櫃檯人員配戴口罩和手套，並在說話時後退兩步", "Fresh-counter staff wear masks and gloves and step back to speak"),
]
_HOW = (
    "在现场观察至少两分钟，只记录亲眼所见；不通过时写明时间、位置和经过，必要时拍照，照片中不要拍到顾客的脸。",
    "在現場觀察至少兩分鐘，只記錄親眼所見；不通過時寫明時間、位置和經過，必要時拍照，照片中不要拍到顧客的臉。",
    "Watch for at least two minutes and record only what you saw yourself; on a fail, note the time, the place and what happened, and take a photo without customers' faces.",
)

_FIX = (
    "把这一细节写进班前会和岗位检查表，由值班主管每天巡查两次，发现问题当场纠正并记录。",
    "把這個細節寫進班前會和職務檢查表，由值班主管每天巡查兩次，發現問題當場糾正並記錄。",
    "Add this detail to the pre-shift briefing and the station checklist; the duty supervisor checks it twice a day and corrects and logs any lapse on the spot.",
)


def _text(zh_hans: str, zh_hant: str, en: str, indent: str) -> str:
    return f"\n{indent}  zh-Hans: {json.dumps(zh_hans, ensure_ascii=False)}\n{indent}  zh-Hant: {json.dumps(zh_hant, ensure_ascii=False)}\n{indent}  en: {json.dumps(en)}"


def synthetic_yaml(
    items: int = 150, sections_per_stage: int = 5, *, site_types: tuple[str, ...] = ("supermarket",), na: bool = False,
    conditional: bool = False,
) -> bytes:
    """A valid checklist of `items` items over three stages, every response type mixed in.
    With `na`, one yes/no item in five allows N/A; with `conditional`, one item in thirty is
    shown only when the yes/no item before it is answered yes (off by default, so the other
    benchmarks keep the checklist they always measured)."""
    lines = [
        "id: bench-150",
        "title:" + _text("基准测试检查表（150 项）", "基準測試檢查表（150 項）", "Benchmark checklist (150 items)", ""),
        "language: zh-Hans",
        "languages: [zh-Hans, zh-Hant, en]",
        f"site_types: [{', '.join(site_types)}]",
        "stages:",
    ]
    per_section = items // (3 * sections_per_stage)
    n = 0
    for stage in ("pre-sale", "in-sale", "after-sale"):
        lines += [f"  {stage}:", "    sections:"]
        for s in range(sections_per_stage):
            lines += [
                f"      - id: {stage}-s{s}",
                "        title:" + _text(f"区域 {s + 1}", f"區域 {s + 1}", f"Area {s + 1}", "        "),
                "        items:",
            ]
            for _ in range(per_section):
                n += 1
                what = _WHAT[n % len(_WHAT)]
                lines += [
                    f"          - id: i{n:03d}",
                    "            text:" + _text(f"{what[0]}（{n}）", f"{what[1]}（{n}）", f"{what[2]} ({n})", "            "),
                    "            guidance:" + _text(*_HOW, "            "),
                    "            fix:" + _text(*_FIX, "            "),
                ]
                kind = n % 10
                if kind in (0, 5):
                    lines += ["            type: scale", "            min: 1", "            max: 5"]
                elif kind == 3:
                    lines += ["            type: timer", "            pass: {max: 180}"]
                elif kind == 7:
                    lines += [
                        "            type: choice",
                        "            choices:",
                        "              - {id: good, score: 1, label: {zh-Hans: 主动, zh-Hant: 主動, en: Unprompted}}",
                        "              - {id: asked, score: 0.5, label: {zh-Hans: 经提醒, zh-Hant: 經提醒, en: When asked}}",
                        "              - {id: none, score: 0, label: {zh-Hans: 没有, zh-Hant: 沒有, en: Not at all}}",
                    ]
                else:
                    lines.append("            type: yes_no")
                    if na and kind == 6:
                        lines.append("            na: true")
                if conditional and n % 30 == 2:
                    lines.append(f"            when: {{item: i{n - 1:03d}, equals: 'yes'}}")
                if n % 4 == 0:
                    lines.append("            evidence: {note: on_fail}")
                if n % 50 == 11:
                    lines.append("            critical: {cap: 60}")
    result = check_bytes(("\n".join(lines) + "\n").encode("utf-8"), "bench-150.yaml")
    assert result.checklist is not None, result.problems
    return "\n".join(lines).encode("utf-8") + b"\n"


def synthetic_checklist(**options: Any) -> Checklist:
    """The checklist of `synthetic_yaml(**options)` as the model."""
    checklist = check_bytes(synthetic_yaml(**options), "bench-150.yaml").checklist
    assert checklist is not None
    return checklist
