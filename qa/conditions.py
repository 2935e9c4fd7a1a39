"""The case a figure is stated for: ranges such as `三年以上`, `一年以上不满三年`, `不满三个月`.

`劳动合同期限三年以上的，试用期最长不能超过多久？` asks about one case; a clause that lists
several cases (`一年以上不满三年的…二个月；三年以上…六个月`) answers it only with the value of the
case that contains the question's case. A range is (kind, low, high) in a common unit per kind
(months for years and months, days, hours); `high` is exclusive, `None` when open.
"""
from __future__ import annotations

import re

from policykg.text import CN_DIGITS as CN_NUM
from policykg.text import parse_number

_UNITS = {"年": ("period", 12.0), "个月": ("period", 1.0), "月": ("period", 1.0), "周": ("day", 7.0),
          "日": ("day", 1.0), "天": ("day", 1.0), "小时": ("hour", 1.0), "岁": ("age", 1.0),
          "周岁": ("age", 1.0)}
_N = rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)"
_U = r"(个月|年|月|周岁|周|日|天|小时|岁)"
_BELOW = r"(?:不满|未满|不足|少于|低于)"
BOTH = re.compile(rf"(?:(?<![不未])满)?{_N}\s*{_U}(?:以上|及以上|或以上)?(?:、|，)?{_BELOW}{_N}\s*{_U}")
FROM = re.compile(rf"{_N}\s*{_U}(?:以上|及以上|或以上)|(?<![不未])满{_N}\s*{_U}(?!以下|以内)")
BELOW = re.compile(rf"{_BELOW}{_N}\s*{_U}")
UPTO = re.compile(rf"{_N}\s*{_U}(?:以下|以内)")

Range = tuple[str, float, float | None]


def cn_number(text: str) -> float | None:
    """`12`, `三`, `十二`, `二十`, `一百` → the number (None when not a number; policykg.text)."""
    value = parse_number(text)
    return None if value is None else float(value)


def _value(number: str, unit: str) -> tuple[str, float] | None:
    n = cn_number(number)
    if n is None:
        return None
    kind, scale = _UNITS[unit]
    return kind, n * scale


def ranges(text: str) -> list[Range]:
    """The ranges a text states as cases, in order of appearance."""
    found: list[tuple[int, Range]] = []
    taken = [False] * len(text)

    def add(m: re.Match, r: Range | None) -> None:
        if r is None or any(taken[m.start():m.end()]):
            return
        for i in range(m.start(), m.end()):
            taken[i] = True
        found.append((m.start(), r))

    for m in BOTH.finditer(text):
        lo, hi = _value(m.group(1), m.group(2)), _value(m.group(3), m.group(4))
        add(m, (lo[0], lo[1], hi[1]) if lo and hi and lo[0] == hi[0] else None)
    for m in FROM.finditer(text):
        v = _value(m.group(1) or m.group(3), m.group(2) or m.group(4))
        add(m, (v[0], v[1], None) if v else None)
    for m in BELOW.finditer(text):
        v = _value(m.group(1), m.group(2))
        add(m, (v[0], 0.0, v[1]) if v else None)
    for m in UPTO.finditer(text):
        v = _value(m.group(1), m.group(2))
        add(m, (v[0], 0.0, v[1] + 1e-9) if v else None)
    return [r for _, r in sorted(found)]


def condition_part(sentence: str) -> str:
    """The part of a sentence that states its case: up to its last `…的，`, else the sentence."""
    m = list(re.finditer(r"的[，,]", sentence))
    return sentence[:m[-1].end()] if m else sentence


def contains(outer: Range, inner: Range) -> bool:
    if outer[0] != inner[0]:
        return False
    hi_ok = outer[2] is None or (inner[2] is not None and inner[2] <= outer[2])
    return outer[1] <= inner[1] and hi_ok


def fit(question_ranges: list[Range], sentence: str) -> int:
    """1: the sentence states its value for a case containing the question's; -1: only for other
    cases of the same kind (it does not answer); 0: it names no case of that kind."""
    if not question_ranges:
        return 0
    stated = ranges(condition_part(sentence))
    verdict = 0
    for q in question_ranges:
        same = [r for r in stated if r[0] == q[0]]
        if not same:
            continue
        if any(contains(r, q) for r in same):
            return 1
        verdict = -1
    return verdict


_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "twelve": 12, "twenty": 20, "a": 1, "an": 1}
_EN_UNIT = {"year": ("period", 12.0), "month": ("period", 1.0), "week": ("day", 7.0), "day": ("day", 1.0),
            "hour": ("hour", 1.0)}
_EN_N = r"(\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|an|a)"
_EN_U = r"(year|month|week|day|hour)s?"
EN_FROM = re.compile(rf"(?:at least|more than|over|longer than)\s+{_EN_N}\s+{_EN_U}|{_EN_N}\s+{_EN_U}\s+or (?:more|longer|above)")
EN_BELOW = re.compile(rf"(?:less than|under|shorter than|below)\s+{_EN_N}\s+{_EN_U}")


def _en_value(number: str, unit: str) -> tuple[str, float] | None:
    n = float(number) if number[0].isdigit() else _EN_NUM.get(number)
    if n is None:
        return None
    kind, scale = _EN_UNIT[unit]
    return kind, n * scale


_POINT = re.compile(rf"{_N}\s*{_U}")
EN_POINT = re.compile(rf"\b{_EN_N}\s+{_EN_U}\b")
_EPS = 1e-6


def question_ranges(question: str) -> list[Range]:
    """The cases a question names, in Chinese or English (`three years or more`); a bare figure
    (`工作了7年`, `after 25 years`) is the case of that one value."""
    found = ranges(question)
    taken = [False] * len(question)
    for pattern in (BOTH, FROM, BELOW, UPTO):
        for m in pattern.finditer(question):
            for i in range(m.start(), m.end()):
                taken[i] = True
    for m in _POINT.finditer(question):
        v = _value(m.group(1), m.group(2))
        if v and not any(taken[m.start():m.end()]):
            found.append((v[0], v[1], v[1] + _EPS))
    lowered = question.lower()
    taken = [False] * len(lowered)
    for m in EN_FROM.finditer(lowered):
        v = _en_value(m.group(1) or m.group(3), m.group(2) or m.group(4))
        if v:
            found.append((v[0], v[1], None))
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
    for m in EN_BELOW.finditer(lowered):
        v = _en_value(m.group(1), m.group(2))
        if v:
            found.append((v[0], 0.0, v[1]))
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
    for m in EN_POINT.finditer(lowered):
        v = _en_value(m.group(1), m.group(2))
        if v and not any(taken[m.start():m.end()]) and m.group(1) not in ("a", "an"):
            found.append((v[0], v[1], v[1] + _EPS))
    return found


def strip_cases(text: str) -> str:
    for cond in (BOTH, FROM, BELOW, UPTO):
        text = cond.sub("", text)
    return text
