"""English renderings from the legal vocabulary (search/legal.toml): a sentence glossed term by
term in its own order (modal words by their English label: 不得 → must not), figures with their
units, and a document's title and article as an English reference. No translation service: what
the vocabulary does not know is left out of the rendering (the Chinese quote stays as evidence).
"""
from __future__ import annotations

import re
from functools import lru_cache

from policykg.qa.conditions import cn_number
from policykg.search.linking import legal_terms, modal_labels
from policykg.text import CN_DIGITS as CN_NUM

_FIG = re.compile(rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)\s*(万元|亿元|元|个月|年|月|周|日|天|小时|名|人|倍|岁|%|％)")
_PCT = re.compile(rf"百分之([{CN_NUM}\d]+)")
_UNIT_EN = {"元": "yuan", "万元": "yuan", "亿元": "yuan", "个月": "month", "年": "year", "月": "month", "周": "week",
            "日": "day", "天": "day", "小时": "hour", "名": "person", "人": "person", "倍": "times", "岁": "years old"}
_KINDS = {"法": "Law", "条例": "Regulations", "规定": "Provisions", "办法": "Measures", "意见": "Opinions",
          "通知": "Notice", "决定": "Decision", "解释": "Interpretation", "实施细则": "Implementing Rules",
          "细则": "Detailed Rules", "规则": "Rules", "措施": "Measures", "方案": "Plan", "规划": "Plan"}
_PRC = "中华人民共和国"


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], int]:
    table = {zh: labels[0] for zh, labels in legal_terms().items() if labels}
    table.update(modal_labels())
    return table, max(map(len, table), default=1)


def figure_en(number: str, unit: str) -> str:
    n = cn_number(number)
    if n is None:
        return f"{number}{unit}"
    if unit == "万元":
        n *= 10_000
    elif unit == "亿元":
        n *= 100_000_000
    value = f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"
    if unit in ("%", "％"):
        return f"{value}%"
    word = _UNIT_EN.get(unit, unit)
    plural = word + "s" if n != 1 and word in ("month", "year", "week", "day", "hour") else word
    return f"{value} {plural}"


def gloss(text: str) -> str:
    """The sentence's known terms, modal words and figures in English, in the sentence's order."""
    table, longest = _table()
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _FIG.match(text, i) or None
        if m:
            out.append(figure_en(m.group(1), m.group(2)))
            i = m.end()
            continue
        p = _PCT.match(text, i)
        if p:
            n = cn_number(p.group(1))
            out.append(f"{n:g}%" if n is not None else p.group(0))
            i = p.end()
            continue
        for n in range(min(longest, len(text) - i), 1, -1):
            word = table.get(text[i:i + n])
            if word:
                out.append(word)
                i += n
                break
        else:
            if text[i] in "，；,;":
                if out and not out[-1].endswith(","):
                    out[-1] += ","
            elif text[i] == "或":
                out.append("or")
            elif text[i] == "和" or text[i] == "及":
                out.append("and")
            i += 1
    words = [w for k, w in enumerate(out) if k == 0 or w.rstrip(",") != out[k - 1].rstrip(",")]
    return " ".join(words).strip(" ,").replace(" ,", ",")


def title_en(title: str) -> str:
    """`中华人民共和国劳动合同法` → `Labour Contract Law`; `国务院关于职工工作时间的规定` →
    `State Council Provisions on employees working hours`."""
    core = title[len(_PRC):] if title.startswith(_PRC) else title
    core = re.sub(r"[（(].*?[）)]", "", core)
    kind = next((k for k in sorted(_KINDS, key=len, reverse=True) if core.endswith(k)), "")
    body = core[: len(core) - len(kind)] if kind else core
    if "关于" in body:
        who, what = body.split("关于", 1)
        text = f"{gloss(who)} {_KINDS.get(kind, '')} on {gloss(what.rstrip('的'))}".strip()
    else:
        text = f"{gloss(body)} {_KINDS.get(kind, '')}".strip()
    text = re.sub(r"\s+", " ", text.replace(",", ""))
    return " ".join(w[:1].upper() + w[1:] if w not in ("on", "of", "and", "or") else w for w in text.split())


def article_en(number: int, paragraph: int | None = None, item: int | None = None) -> str:
    out = f"Article {number}"
    if paragraph:
        out += f", paragraph {paragraph}"
    if item:
        out += f", item {item}"
    return out
