"""Blanks left to fill in a draft: `建设高技能人才培养平台 家`, `比例超过 ，`, `____`, `××`.

A drafter leaves a gap where a number (or a name) will go: a space between a word and a
measure word, a comparison verb followed directly by punctuation, underscores, ×× marks or
empty brackets. :func:`find_placeholders` returns each gap with a short piece of the text
around it as evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

SPACE = "[ \u3000\u00a0\t]"
# measure words and units that need a number in front of them
# a measure word that needs a number in front, unless it starts a word (家庭, 人才, 年度, 条件 …)
MEASURE = (
    "(?:[万亿千百]?(?:家(?![庭乡属长具电])|名(?![称单额义录字誉牌师校])|个(?![人体税别性])"
    "|人(?![才员民口事大社力身数们群选工次类])|项(?!目)|所(?![有在得属以需])|元(?![素旦])|倍|次(?![数序要年])"
    "|批(?![准复评次])|条(?![件例款目])|座|支(?![持付出])|套|平方米|亩|天(?![然津气])|年(?![度龄轻金薪份限均])"
    "|月(?![份度薪])|日(?![常期益])|%|％)|万(?![一众])|亿)"
)
COMPARE = "(?:超过|达到|不低于|不少于|不超过|不高于|高于|低于|提高到|提升至|增长到|增加到|控制在)"

PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    # 平台 家 / 人才 万名 / 比例 % : a space where the number should stand before a measure word
    ("blank_number", re.compile(rf"(?<=[\u4e00-\u9fff“”）)]){SPACE}+(?={MEASURE})")),
    # 超过 ， / 达到。 : a comparison verb with nothing after it
    ("blank_after_comparison", re.compile(rf"{COMPARE}({SPACE}*)(?=[，。；、,;）)%％]|$)")),
    # （待定） / 待补充 / 待明确: a gap named in words
    ("to_be_filled", re.compile(r"[（(【\[]?(?:待定|待补充|待填写|待填|待明确|待确定)[）)】\]]?")),
    # ____ / ＿＿ / ……(空)
    ("underscores", re.compile(r"[_＿]{2,}")),
    # ×× / XX / ○○ / □□
    ("marks", re.compile(r"(?:×|X|x|○|□|〇|＊|\*){2,}")),
    # （ ） / 【 】 / [ ] empty brackets
    ("empty_brackets", re.compile(rf"[（(【\[]{SPACE}*[）)】\]]")),
]


@dataclass
class Placeholder:
    """One blank: where it is (character offset in the text) and the text around it."""

    kind: str
    start: int
    end: int
    evidence: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "evidence": self.evidence}


def _evidence(text: str, start: int, end: int, width: int = 16) -> str:
    """The words around a gap, cut at sentence punctuation, with the gap shown as ＿."""
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    left = re.split(r"[。；，,;]", left)[-1]
    right = re.split(r"[。；，,;]", right)[0]
    middle = re.sub(rf"{SPACE}+|[_＿]+", "＿", text[start:end]) if end - start > 1 else ""
    if "＿" not in middle and not re.search("待", middle):
        middle = "＿"
    return f"{left}{middle}{right}".strip()


def find_placeholders(text: str) -> list[Placeholder]:
    """All blanks in `text`, in text order, without overlaps."""
    found: list[Placeholder] = []
    taken: list[tuple[int, int]] = []
    for kind, pattern in PATTERNS:
        for m in pattern.finditer(text or ""):
            start, end = (m.start(1), m.end(1)) if pattern.groups else (m.start(), m.end())
            if kind == "marks" and re.fullmatch(r"[xX]{2,}", m.group()) and _inside_latin(text, start, end):
                continue
            if any(s <= start < e or s < end <= e for s, e in taken):
                continue
            taken.append((start, max(end, start + 1)))
            found.append(Placeholder(kind, start, end, _evidence(text, start, end)))
    found.sort(key=lambda p: p.start)
    merged: list[Placeholder] = []
    for p in found:  # 自 年 月 日起: one blank date, not three blanks
        if merged and p.start - merged[-1].end <= 2 and "\n" not in text[merged[-1].end:p.start]:
            last = merged[-1]
            merged[-1] = Placeholder(last.kind, last.start, p.end, _evidence(text, last.start, p.end))
        else:
            merged.append(p)
    return merged


def _inside_latin(text: str, start: int, end: int) -> bool:
    """`xx` inside a Latin word (e.g. 'xxl', 'fox') is not a blank."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return before.isascii() and before.isalpha() or after.isascii() and after.isalpha()
