"""Chinese numerals: 一千零一 → 1001, 两万 → 20000, 〇 → 0, 3万 → 30000, 1.5万 → 15000, 第十二条 → 12.

Conversion goes through cn2an (``smart`` mode reads Arabic digits mixed with Chinese magnitudes);
a run of bare digits read one by one (二〇二三 → 2023) is read positionally.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

import cn2an

#: the characters a Chinese numeral is written with (digits, 两, 〇, and the magnitudes up to 千)
CN_DIGITS = "零〇一二两三四五六七八九十百千"
#: magnitudes that scale a number (3万, 1.5亿, 五千)
MAGNITUDES = {"千": 1_000, "万": 10_000, "亿": 100_000_000}
#: a regular expression (source) for one number: Arabic (3, 1.5, 3,000) or Chinese (一百五十)
NUMBER = rf"(?:\d+(?:,\d{{3}})*(?:\.\d+)?|[{CN_DIGITS}]+)"
#: a label that numbers a unit: 第十二条, 第3章, （一）, 十四、
LABEL = re.compile(rf"^[（(]?第?\s*(?P<num>\d+|[{CN_DIGITS}]+)\s*[条章节款项编）)、.]?$")

_POSITIONAL = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """The value of a number written in Chinese, Arabic digits or both (`3万`, `1.5万`, `两万`,
    `一千零一`, `3,000`, `〇`); None when `text` is not a number."""
    raw = re.sub(r"[\s,，]", "", text or "")
    if not raw:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", raw):
        return _decimal(raw)
    if re.fullmatch(f"[{''.join(_POSITIONAL)}]{{2,}}", raw):  # 二〇二三: digits read one by one
        return Decimal("".join(str(_POSITIONAL[c]) for c in raw))
    if raw[0] in "百千万亿":  # 百 / 千五: a leading magnitude counts one of it
        raw = "一" + raw
    try:
        value = cn2an.cn2an(raw, "smart")
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    return _decimal(str(value))


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value.quantize(Decimal(1)) if value == value.to_integral() else value.normalize()


def cn_to_int(text: str) -> int | None:
    """A label's number: `九` → 9, `十四` → 14, `一千二百六十` → 1260, `第十二条` → 12, `（三）` → 3,
    `12` → 12; None when it is not a whole number."""
    text = (text or "").strip()
    m = LABEL.match(text)
    core = m.group("num") if m else text.strip("（）()第条章、.")
    value = parse_number(core)
    if value is None or value != value.to_integral() or value < 0:
        return None
    return int(value)


def scaled(num: str, magnitude: str = "") -> Decimal | None:
    """A number with a magnitude written after it: (`5`, `万`) → 50000, (`十`, `万`) → 100000."""
    value = parse_number(num)
    if value is None:
        return None
    if magnitude:
        if magnitude not in MAGNITUDES and magnitude != "百":
            return None
        value = _decimal(str(value * (MAGNITUDES.get(magnitude) or 100)))
    return value
