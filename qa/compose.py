"""Writing the answer in the question's language, quoting the evidence (extractive, grounded).

Every figure in an answer comes from the quoted text: the frame adds no number except the
English reading of an amount it quotes (`10万元` → `100,000 yuan`).
"""
from __future__ import annotations

import re

from policykg.qa.intent import Intent, modality_words
from policykg.qa.spans import Span
from policykg.search.text import AMOUNT, PERCENT

_FRAG = re.compile(r"(?<=[，,：:])")
_CN_UNITS = {"万": 10_000, "亿": 100_000_000, "千": 1_000}
MAX_QUOTE = 220


def _ref_zh(kg, key) -> str:
    doc, clause = kg.document(key[0]), kg.clause(*key)
    title = f"“{clause.title}”" if clause.title else ""
    return f"《{doc.meta.title}》{clause.label}{title}"


def _ref_en(kg, key) -> str:
    clause = kg.clause(*key)
    title = f" ({clause.title})" if clause.title else ""
    return f"{key[0]} {clause.label}{title}"


def _quote(text: str) -> str:
    text = text.strip().rstrip("；;")
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


def focus(span: Span, intent: Intent) -> str:
    """For a figure question: the part of the sentence that holds the figure (with its lead-in)."""
    pattern = intent.pattern()
    if pattern is None:
        return ""
    frags = [f for f in _FRAG.split(span.text) if f.strip()]
    best, best_score = -1, -1.0
    for i, frag in enumerate(frags):
        if not pattern.search(frag):
            continue
        score = sum(len(t) for t in span.matched if t in frag)
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        return ""
    start = best
    if best > 0 and any(t in frags[best - 1] for t in span.matched):
        start = best - 1
    return "".join(frags[start:best + 1]).strip().rstrip("，,；;。")


def verdict(span: Span, language: str) -> str:
    yes, no = modality_words()
    if any(w in span.text for w in no):
        return "不可以。" if language == "zh" else "No. "
    if any(w in span.text for w in yes):
        return "可以。" if language == "zh" else "Yes. "
    return ""


def yuan(amount: str) -> str:
    """`最高10万元` style amount → `100,000 yuan` (the same value, in English)."""
    m = re.match(r"(\d+(?:\.\d+)?)\s*(万|亿|千)?\s*元", amount.replace(",", ""))
    if not m:
        return ""
    value = float(m.group(1)) * _CN_UNITS.get(m.group(2) or "", 1)
    return f"{value:,.0f} yuan" if value == int(value) else f"{value:,.2f} yuan"


def _glosses(query, quoted: str) -> str:
    parts = []
    for en, zh in query.linked.english:
        if zh and zh in quoted and f"{en} = {zh}" not in parts:
            parts.append(f"{en} = {zh}")
    for m in AMOUNT.finditer(quoted):
        reading = yuan(m.group(0))
        if reading and m.group(0).strip() != reading:
            parts.append(f"{m.group(0).strip()} = {reading}")
    return f" ({'; '.join(parts)})" if parts else ""


def compose(kg, query, intent: Intent, spans: list[Span]) -> str:
    """The answer from the chosen spans (the first is the answering one)."""
    lang = query.language
    first = spans[0]
    lead = verdict(first, lang) if intent.name == "yesno" else ""
    out = []
    for i, span in enumerate(spans):
        quote = _quote(span.text)
        part = focus(span, intent) if intent.numeric else ""
        if lang == "zh":
            head = f"{part}。" if part else ""
            prefix = "根据" if i == 0 else "另，"
            out.append(f"{head}{prefix}{_ref_zh(kg, span.key)}：“{quote}”")
        else:
            head = f"{part} — " if part else ""
            prefix = "Under" if i == 0 else "Also, under"
            out.append(f"{prefix} {_ref_en(kg, span.key)}: {head}“{quote}”{_glosses(query, quote)}")
    return lead + ("；".join(out) + "。" if lang == "zh" else " ".join(s.rstrip(".") + "." for s in out))


_WHAT_ZH = {"amount": "具体金额", "percent": "具体比例", "count": "具体数量", "duration": "具体期限",
            "agency": "负责的部门"}
_WHAT_EN = {"amount": "an amount", "percent": "a percentage", "count": "a number", "duration": "a period",
            "agency": "a responsible agency"}


def compose_abstain(kg, query, intent: Intent, spans: list[Span]) -> str:
    """Say that the documents hold no answer, and what they say nearest to the question
    (quoting a sentence without figures, so no amount is suggested that does not apply)."""
    lang = query.language
    plain = [s for s in spans if not AMOUNT.search(s.text) and not PERCENT.search(s.text)]
    near = max(plain, key=lambda s: s.score) if plain else None
    if lang == "zh":
        what = _WHAT_ZH.get(intent.needs, "对这个问题的明确规定")
        text = f"现有文件没有规定{what}，无法回答。"
        if near is not None:
            text += f"最接近的内容是{_ref_zh(kg, near.key)}：“{_quote(near.text)}”。"
        return text
    what = _WHAT_EN.get(intent.needs, "an answer to this question")
    text = f"The documents do not state {what} for this; I cannot answer it from them."
    if near is not None:
        text += f" The nearest provision is {_ref_en(kg, near.key)}: “{_quote(near.text)}”."
    return text
