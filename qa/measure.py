"""The unit a figure question asks for (`多少天`, `每月最多多少小时`, `how many days`) and whether a
sentence states a figure in it.

A sentence with a figure in the unit asked for fits best; one whose figures are of the same kind
only (months for days: both periods) still answers, with the figure it states; one whose figures
are all of another kind (an amount for a period) does not answer. A rate asked for (`每月`, `a
month`) prefers the figure stated for that rate (`每月不得超过三十六小时` over `每日…三小时`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.text.amounts import NUMBER_LOOSE

#: unit words (Chinese) → unit name; longest first
_ZH_UNITS = [("工作日", "day"), ("个月", "month"), ("小时", "hour"), ("星期", "week"), ("天", "day"), ("日", "day"),
             ("周", "week"), ("月", "month"), ("年", "year"), ("元", "yuan"), ("岁", "age"), ("倍", "times"),
             ("%", "percent"), ("％", "percent"), ("成", "percent")]
_EN_UNITS = {"day": "day", "working day": "day", "hour": "hour", "week": "week", "month": "month", "year": "year",
             "yuan": "yuan", "time": "times", "percent": "percent"}
KIND = {"day": "time", "hour": "time", "week": "time", "month": "time", "year": "time", "yuan": "money",
        "percent": "share", "times": "share", "age": "age"}
_PER_ZH = {"日": "day", "天": "day", "周": "week", "星期": "week", "月": "month", "年": "year"}
_ZH_ASK = re.compile(r"(?:多少|几)\s*(?:个)?\s*(工作日|小时|星期|个月|天|日|周|月|年|元|岁|倍)")
_ZH_ASK_LONG = re.compile(r"多久|多长时间|多长期限|期限是?多长|时限")
_ZH_MONEY = re.compile(r"多少钱|(?:罚款|罚金|工资|补偿金?|赔偿金?|补助金?|补贴|费用?|金额|奖金|奖励|津贴)(?:是|为|标准是?)?多少|"
                       r"(?:罚|赔|补|付|交|缴|缴纳|支付)多少(?!天|日|年|月|小时|周|倍|%)")
_ZH_PER = re.compile(r"每(?:个)?(日|天|周|星期|月|年)")
_EN_ASK = re.compile(r"how many (working days?|days?|hours?|weeks?|months?|years?|times|yuan)")
_EN_LONG = re.compile(r"how long|what (?:is the )?(?:period|time limit|deadline)")
_EN_MONEY = re.compile(r"\b(?:yuan|rmb|money|fine|fee|salary|wage|compensation|allowance|subsid|bonus|award|reward)")
_EN_PER = re.compile(r"\b(?:per|a|an|each|every) (day|week|month|year)\b|\b(daily|weekly|monthly|yearly|annually)\b")
_EN_ADV = {"daily": "day", "weekly": "week", "monthly": "month", "yearly": "year", "annually": "year"}
#: dates are not figures (2008年1月1日)
_DATE = re.compile(r"(?:\d{4}|[〇零一二三四五六七八九]{4})\s*年(?:\s*[\d一二三四五六七八九十]{1,3}\s*月(?:\s*[\d一二三四五六七八九十]{1,3}\s*日)?)?")
_FIGURE = re.compile(rf"{NUMBER_LOOSE}\s*(?:万|千|百|亿)?\s*(个工作日|工作日|个月|小时|个小时|星期|个星期|周岁|天|日|周|月|年|元|"
                     r"岁|倍|%|％|成)")
_OF_WAGE = re.compile(r"的?(?:本人|职工)?(?:月|日)?(?:缴费)?(?:工资|薪酬|劳动报酬)")
_PER_BEFORE = re.compile(r"每(?:个)?(日|天|周|星期|月|年)[^，,；;。]{0,12}$")


@dataclass(frozen=True)
class Measure:
    """What a figure question asks for: a unit (`day`), only a kind (`time` for 多久), a rate."""
    unit: str = ""
    kind: str = ""
    per: str = ""

    def fit(self, text: str) -> int:
        """2: a figure in the unit and at the rate asked; 1: in the unit; 0: same kind or no figure
        to judge; -1: every figure of the sentence is of another kind."""
        figures = figures_in(text)
        if not figures:
            return 0
        if self.unit and any(u == self.unit for u, _ in figures):
            best = 1
            if self.per and any(u == self.unit and p == self.per for u, p in figures):
                best = 2
            return best
        if any(KIND.get(u) == self.kind or self.kind == "money" and KIND.get(u) == "share" for u, _ in figures):
            return 0  # a pay asked for may be a share of the wage (百分之一百五十, 二倍)
        return -1

    def words(self) -> list[list[str]]:
        """Chinese words that mark the fragment stating the figure asked for (for the quote's focus)."""
        out = []
        if self.per:
            out.append([f"每{z}" for z, p in _PER_ZH.items() if p == self.per])
        if self.unit:
            out.append([z for z, u in _ZH_UNITS if u == self.unit and len(z) > 0])
        return out


def figures_in(text: str) -> list[tuple[str, str]]:
    """(unit, rate) of each figure of a Chinese text, dates left out."""
    text = _DATE.sub("", text)
    out = []
    for m in _FIGURE.finditer(text):
        word = m.group(1)
        unit = "age" if word == "周岁" else next((u for z, u in _ZH_UNITS if word.endswith(z)), "")
        if unit in ("month", "year", "day", "week") and _OF_WAGE.match(text, m.end()):
            unit = "yuan"  # `13个月的本人工资`: an amount stated in months of wage
        if not unit or word == "成" and not re.search(r"[一二三四五六七八九十\d]成$", m.group(0)):
            continue
        per = _PER_BEFORE.search(text[:m.start()])
        out.append((unit, _PER_ZH.get(per.group(1), "") if per else ""))
    return out


def asked(question: str, language: str) -> Measure | None:
    """The unit, kind and rate a figure question asks for; None when it names none."""
    if language == "zh":
        m = _ZH_ASK.search(question)
        per = _ZH_PER.search(question)
        rate = _PER_ZH.get(per.group(1), "") if per else ""
        if m:
            unit = dict(_ZH_UNITS)[m.group(1)]
            return Measure(unit, KIND[unit], rate if rate != unit else "")
        if _ZH_MONEY.search(question):
            return Measure("yuan", "money")
        if _ZH_ASK_LONG.search(question):
            return Measure("", "time", "")
        return None
    q = question.lower()
    m = _EN_ASK.search(q)
    per = _EN_PER.search(q)
    rate = (per.group(1) or _EN_ADV.get(per.group(2) or "", "")) if per else ""
    if m:
        word = m.group(1)
        word = word[:-1] if word.endswith("s") and word != "times" else word
        unit = _EN_UNITS.get(word, "times" if word == "times" else "")
        if unit:
            return Measure(unit, KIND[unit], rate if rate != unit else "")
    if re.search(r"how much", q) and _EN_MONEY.search(q):
        return Measure("yuan", "money")
    if _EN_LONG.search(q):
        return Measure("", "time", "")
    return None
