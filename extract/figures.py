"""Figures in clause text: target ratios, counts and amounts with the indicator they measure.

`技能人才占就业人员的比例达到30%以上` → indicator 技能人才占就业人员的比例, value 30, unit %,
comparison 以上; `建设100家高技能人才培养平台` → indicator 建设高技能人才培养平台, value 100,
unit 家; `60%以上用于一线职工教育和培训` → indicator 用于一线职工教育和培训.

:func:`same_indicator` decides whether two figures measure the same thing (a ratio
`X占Y的比例` only matches the same X and Y), :func:`find_figures` extracts them.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from policykg.text import CN_DIGITS, parse_number, split_sentences

NUMBER = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]*[十百千][{CN_DIGITS}]*)"
MAGNITUDE = {"万": 1e4, "亿": 1e8, "千": 1e3}
# unit → normalised unit
UNITS = {
    "%": "%", "％": "%", "个百分点": "个百分点", "名": "名", "人": "名", "人次": "人次", "家": "家",
    "个": "个", "个月": "个月", "个工作日": "个工作日", "项": "项", "所": "所", "元": "元", "倍": "倍", "次": "次", "批": "批", "座": "座",
    "条": "条", "支": "支", "套": "套", "年": "年", "天": "天", "小时": "小时", "平方米": "平方米",
}
UNIT_RE = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
FRACTION = r"\d+/\d+|[一二三四五六七八九十]+分之[一二三四五六七八九十]+"
FIGURE_RE = re.compile(
    rf"(?P<frac>{FRACTION})(?![\d%％])|(?<![\d.])(?P<num>{NUMBER})\s*(?P<mag>[万亿千])?(?P<unit>{UNIT_RE})"
)
BEFORE = re.compile(r"(?:达到|超过|不低于|不少于|不超过|不高于|高于|低于|提高到|提升至|增长到|增加到|控制在|最高|最多|最低|至少|达|为|占)$")
AFTER = re.compile(r"^(?:以上|以下|以内|左右|及以上|之内)")
FRAGMENT_SPLIT = re.compile(r"[，。；：！？,;:!?\n]")
LEAD = re.compile(r"^(?:其中|并|且|力争|确保|到|至|本区|本市|全市|全区|全省|全国|各地|本县|全县|累计)+")
RATIO = re.compile(r"^(?P<x>.+?)(?:占|在)(?P<y>.+?)(?:中的|中|的)?(?:占比|比例|比重)$")
NOISE = re.compile(r"[的之在中等约近共计了“”\"'（）()、\s]")


@dataclass
class Figure:
    """One figure: its indicator, value (in `unit`), comparison and where it was found."""

    indicator: str
    value: float
    unit: str
    comparison: str
    text: str  # the figure as written, e.g. 30%以上
    sentence: str  # the sentence it came from
    start: int = 0  # offset of the figure in the text it was found in
    end: int = 0
    context: str = field(default="", repr=False)  # the sentence without the figure (for disambiguation)

    def to_dict(self) -> dict:
        return {"indicator": self.indicator, "value": self.value, "unit": self.unit,
                "comparison": self.comparison, "text": self.text, "sentence": self.sentence}


def _number(num: str, mag: str | None) -> float | None:
    try:
        if "/" in num:
            a, b = num.split("/")
            return 100 * float(a) / float(b)
        if "分之" in num:
            b, a = num.split("分之")
            x, y = parse_number(a), parse_number(b)
            return None if x is None or y is None else 100 * float(x) / float(y)
        value = parse_number(num)
    except (ValueError, ZeroDivisionError):
        return None
    return None if value is None else float(value) * MAGNITUDE.get(mag or "", 1.0)


def _is_date(text: str, m: re.Match) -> bool:
    """`2025年`, `3月`, `十四五` are dates or plan periods, not figures."""
    if m.group("frac") or m.group("unit") != "年":
        return False
    num = m.group("num")
    return bool(re.fullmatch(r"\d{4}", num)) or text[m.end():m.end() + 1] in ("底", "末", "起", "前", "后", "度")


class _Marks:
    """Positions of fragment and sentence marks in a text, found once (lookups by bisection keep
    find_figures linear in the text's length)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.fragments = [m.start() for m in FRAGMENT_SPLIT.finditer(text)]
        self.stops = [m.start() for m in re.finditer(r"[。；\n]", text)]
        self.sentences = split_sentences(text)
        self.sentence_starts = [s.start for s in self.sentences]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """The fragment (between ，。；： …) around text[start:end]."""
        k = bisect_left(self.fragments, start)
        left = self.fragments[k - 1] + 1 if k > 0 else 0
        k = bisect_left(self.fragments, end)
        return left, self.fragments[k] if k < len(self.fragments) else len(self.text)

    def sentence_start(self, pos: int) -> int:
        """Where the clause part (after the last 。； or line break) before `pos` starts."""
        k = bisect_left(self.stops, pos)
        return self.stops[k - 1] + 1 if k > 0 else 0

    def sentence(self, pos: int) -> str:
        k = bisect_right(self.sentence_starts, pos) - 1
        if k >= 0 and self.sentences[k].start <= pos < self.sentences[k].end:
            return self.sentences[k].text
        return self.text.strip()


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text` (dates and plan periods excluded), in text order."""
    figures: list[Figure] = []
    marks = _Marks(text or "")
    for m in FIGURE_RE.finditer(text or ""):
        if _is_date(text, m):
            continue
        value = _number(m.group("frac") or m.group("num"), m.group("mag"))
        if value is None:
            continue
        unit = "%" if m.group("frac") else UNITS[m.group("unit")]
        lo, hi = marks.bounds(m.start(), m.end())
        left, right = text[lo:m.start()], text[m.end():hi]
        comparison = ""
        if cmp := BEFORE.search(left):
            comparison, left = cmp.group(), left[:cmp.start()]
        if cmp := AFTER.match(right):
            comparison, right = (comparison + cmp.group()), right[cmp.end():]
        after = AFTER.match(text[m.end():m.end() + 8])
        written = text[m.start():m.end()] + (after.group() if after else "")
        indicator = LEAD.sub("", (left + right).strip()).strip()
        if not indicator:
            indicator = LEAD.sub("", text[marks.sentence_start(lo):lo]).strip("，, ")
        sentence = marks.sentence(m.start())
        figures.append(Figure(indicator=indicator, value=round(value, 4), unit=unit, comparison=comparison,
                              text=written, sentence=sentence, start=m.start(), end=m.end(),
                              context=sentence.replace(m.group(), "")))
    return figures


def _norm(text: str) -> str:
    return NOISE.sub("", LEAD.sub("", text))


def _ratio(indicator: str) -> tuple[str, str] | None:
    """`技能人才占就业人员的比例` / `技能人才在就业人员中的占比` → (技能人才, 就业人员)."""
    m = RATIO.match(LEAD.sub("", re.sub(r"\s", "", indicator)))
    if not m:
        return None
    return _norm(m.group("x")), _norm(m.group("y"))


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def dice(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two strings."""
    x, y = _bigrams(a), _bigrams(b)
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


TOTAL = re.compile(r"(?:总量|总数|数量|人数|规模|队伍)$")


def _same_part(a: str, b: str) -> bool:
    """Same numerator (or denominator) of a ratio: equal, or one with a qualifier of 2+ characters
    before the other (东部省份高技能人才 ~ 高技能人才, but 高技能人才 ≁ 技能人才)."""
    a, b = TOTAL.sub("", a), TOTAL.sub("", b)
    if a == b:
        return True
    long, short = (a, b) if len(a) >= len(b) else (b, a)
    return len(short) >= 2 and long.endswith(short) and len(long) - len(short) >= 2


def same_indicator(a: Figure, b: Figure) -> float:
    """How surely two figures measure the same indicator (0 = not the same, up to 1)."""
    if a.unit != b.unit:
        return 0.0
    ra, rb = _ratio(a.indicator), _ratio(b.indicator)
    if ra and rb:
        return 1.0 if _same_part(ra[0], rb[0]) and _same_part(ra[1], rb[1]) else 0.0
    if bool(ra) != bool(rb):
        return 0.0
    na, nb = _norm(a.indicator), _norm(b.indicator)
    if not na or not nb:
        return 0.0
    score = dice(na, nb)
    if min(len(na), len(nb)) >= 4 and (na in nb or nb in na):
        score = max(score, 0.8)
    return score if score >= 0.6 else 0.0


def same_value(a: Figure, b: Figure) -> bool:
    return abs(a.value - b.value) <= max(1e-6, 0.005 * max(abs(a.value), abs(b.value)))
