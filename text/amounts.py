"""Amounts of money, percentages and periods in Chinese text.

`1万元` → 10000 yuan, `十万元` → 100000, `最高50万元` → a maximum of 500000, `每人每年` → the
period; `30%` / `百分之三十` / `三成` → 30 (percent). Numbers are read by
:func:`policykg.text.numerals.parse_number` (Arabic, Chinese, or both, with 万/亿/千). An amount
is a maximum when 最高 / 不超过 / 最多 / 至多 / 上限 comes just before it or 以内 / 以下 / 封顶
just after it. The regular expressions AMOUNT, PERCENT, COUNT and FIGURE find such phrases for
the search and question answering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .numerals import CN_DIGITS, NUMBER, parse_number, scaled

MONEY = re.compile(rf"(?P<num>{NUMBER})\s*(?P<mag>[万亿千百]?)\s*(?P<unit>元|块)")
_NUM_LOOSE = rf"(?:\d+(?:[.,]\d+)*|[{CN_DIGITS}]+)"
#: an amount of money as written (10万元, 十万元, 3,000元)
AMOUNT = re.compile(rf"{_NUM_LOOSE}\s*(?:万|亿|千)?\s*元")
#: a percentage or share as written (30%, 百分之三十, 1/3, 三分之一, 三成)
PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％]|百分之[一二三四五六七八九十百零〇\d]+|\d+\s*/\s*\d+|"
                     r"[一二三四五六七八九十]+分之[一二三四五六七八九十]+|[一二三四五六七八九十\d]+成")
#: a count with its measure word (100家, 3万名, 两年)
COUNT = re.compile(rf"{_NUM_LOOSE}\s*(?:万|千|百|亿)?\s*(?:名|家|个|人|项|所|次|批|期|年|个月|月|天|日)")
#: any figure with a unit (a count, an amount or a percentage)
FIGURE = re.compile(rf"{_NUM_LOOSE}\s*(?:万|千|百|亿)?\s*(?:名|家|个|人|项|所|次|批|期|年|个月|月|天|日|元|%|％)|\d+\s*/\s*\d+")
#: a duration (3年, 六个月, 自…起施行)
DURATION = re.compile(rf"{_NUM_LOOSE}\s*(?:年|个月|月|日|天|周)|自.{{0,12}}起施行")
NUMBER_LOOSE = _NUM_LOOSE

_MAX_BEFORE = re.compile(r"(最高|不超过|不高于|最多|至多|上限为?|封顶)[^，。；]{0,4}$")
_MAX_AFTER = re.compile(r"^(以内|以下|封顶|为限)")
#: period words, longest first; the value is how the graph writes it
PERIODS = (
    ("每人每年", "每人每年"), ("每人每月", "每人每月"), ("每人每季度", "每人每季度"), ("每人每次", "每人每次"),
    ("每家每年", "每家每年"), ("每个每年", "每个每年"), ("每年", "每年"), ("每月", "每月"),
    ("每季度", "每季度"), ("每人", "每人"), ("每家", "每家"), ("每次", "每次"), ("一次性", "一次性"),
    ("按月", "每月"), ("按年", "每年"), ("/月", "每月"), ("/年", "每年"), ("/人", "每人"),
)
_PER_PERSON_AFTER = re.compile(r"^/人[/·・]?(年|月)")


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
    return scaled(num, magnitude)


def yuan(amount: str) -> Decimal | None:
    """The value in yuan of an amount as written: `十万元` → 100000, `最高1.5万元` → 15000; None
    when `amount` holds no amount."""
    m = MONEY.search(amount or "")
    return to_yuan(m.group("num"), m.group("mag")) if m else None


def yuan_en(amount: str) -> str:
    """An amount as written, read in English: `十万元` → `100,000 yuan`; "" when it holds none."""
    value = yuan(amount)
    if value is None:
        return ""
    return f"{value:,.0f} yuan" if value == value.to_integral() else f"{value:,.2f} yuan"


def percent(text: str) -> Decimal | None:
    """A percentage as written → its value in percent: `30%` → 30, `百分之三十` → 30, `三成` → 30,
    `1/4` and `四分之一` → 25; None when `text` holds none."""
    m = PERCENT.search(text or "")
    if not m:
        return None
    s = re.sub(r"\s", "", m.group())
    try:
        if s[-1] in "%％":
            return parse_number(s[:-1])
        if s.startswith("百分之"):
            return parse_number(s[3:])
        if "/" in s:
            a, b = s.split("/")
            return Decimal(100) * Decimal(a) / Decimal(b)
        if "分之" in s:
            b, a = s.split("分之")
            x, y = parse_number(a), parse_number(b)
            return None if x is None or not y else Decimal(100) * x / y
        if s.endswith("成"):
            v = parse_number(s[:-1])
            return None if v is None else v * 10
    except (ArithmeticError, ValueError):
        return None
    return None


def period(before: str, after: str = "") -> str:
    """The period an amount is paid for, from the words before and after it ("" when none)."""
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
        if re.fullmatch(f"[{CN_DIGITS}]+", num) and not m.group("mag") and len(num) == 1 \
                and m.start() > lo and text[m.start() - 1] in "第每":
            continue
        value = to_yuan(num, m.group("mag"))
        if value is None or value <= 0:
            continue
        before = re.split(r"[，。；,;：]", text[max(lo, m.start() - 12):m.start()])[-1]
        after = text[m.end():min(hi, m.end() + 5)]
        is_max = bool(_MAX_BEFORE.search(before) or _MAX_AFTER.match(after))
        out.append(Money(m.start(), m.end(), value, is_max, period(before, after), m.group(0)))
    return out
