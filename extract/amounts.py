"""Money in clause text: 1万元 → 10000, 最高50万元 → a maximum of 500000, 每人每年 → the period.

Numbers may be Arabic (5, 1.5, 3,000) or Chinese (十, 一百五十) with a magnitude (万, 亿, 千),
and are converted with cn2an. An amount is a maximum when 最高 / 不超过 / 最多 / 至多 / 上限
comes just before it or 以内 / 以下 / 封顶 just after it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import cn2an

_NUM = r"(?:\d+(?:,\d{3})*(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
MONEY = re.compile(rf"(?P<num>{_NUM})\s*(?P<mag>[万亿千百]?)\s*(?P<unit>元|块)")
_MAX_BEFORE = re.compile(r"(最高|不超过|不高于|最多|至多|上限为?|封顶)[^，。；]{0,4}$")
_MAX_AFTER = re.compile(r"^(以内|以下|封顶|为限)")
# period words, longest first; the value is how the graph writes it
PERIODS = (
    ("每人每年", "每人每年"), ("每人每月", "每人每月"), ("每人每季度", "每人每季度"), ("每人每次", "每人每次"),
    ("每家每年", "每家每年"), ("每个每年", "每个每年"), ("每年", "每年"), ("每月", "每月"),
    ("每季度", "每季度"), ("每人", "每人"), ("每家", "每家"), ("每次", "每次"), ("一次性", "一次性"),
    ("按月", "每月"), ("按年", "每年"), ("/月", "每月"), ("/年", "每年"), ("/人", "每人"),
)


@dataclass
class Money:
    start: int
    end: int
    value: Decimal  # yuan
    is_max: bool
    period: str  # "" when the text names none
    text: str


def to_yuan(num: str, magnitude: str = "") -> Decimal | None:
    """`5`, `万` → Decimal(50000); Chinese numerals too (`十`, `万` → 100000)."""
    raw = num.replace(",", "") + magnitude
    try:
        value = cn2an.cn2an(raw, "smart")
    except (ValueError, KeyError, TypeError):
        return None
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        return None
    return result.normalize() if result != result.to_integral() else result.quantize(Decimal(1))


_PER_PERSON_AFTER = re.compile(r"^/人[/·・]?(年|月)")


def _period(before: str, after: str) -> str:
    m = _PER_PERSON_AFTER.match(after)
    if m:
        return "每人每年" if m.group(1) == "年" else "每人每月"
    if "每年每人" in before:
        return "每人每年"
    if "每月每人" in before:
        return "每人每月"
    for word, value in PERIODS:
        if word.startswith("/"):
            if after.startswith(word):
                return value
        elif word in before:
            return value
    return ""


def find_money(text: str, lo: int = 0, hi: int | None = None) -> list[Money]:
    """Money amounts in text[lo:hi]; positions are offsets into `text`."""
    hi = len(text) if hi is None else hi
    out: list[Money] = []
    for m in MONEY.finditer(text, lo, hi):
        num = m.group("num")
        if re.fullmatch(r"[零〇一二两三四五六七八九十百千]+", num) and not m.group("mag") and len(num) == 1 \
                and m.start() > lo and text[m.start() - 1] in "第每":
            continue
        value = to_yuan(num, m.group("mag"))
        if value is None or value <= 0:
            continue
        before = re.split(r"[，。；,;：]", text[max(lo, m.start() - 12):m.start()])[-1]
        after = text[m.end():min(hi, m.end() + 5)]
        is_max = bool(_MAX_BEFORE.search(before) or _MAX_AFTER.match(after))
        out.append(Money(m.start(), m.end(), value, is_max, _period(before, after), m.group(0)))
    return out
