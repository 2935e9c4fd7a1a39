"""Writing the answer in the question's language, quoting the evidence (extractive, grounded).

Every figure in an answer comes from the quoted text: the frame adds no number except the
English reading of an amount it quotes (`10万元` → `100,000 yuan`).
"""
from __future__ import annotations

import re

from policykg.qa.intent import Intent, modality_words
from policykg.qa.spans import Span
from policykg.search.text import EN_TIER, tier_tokens
from policykg.text import AMOUNT, PERCENT, modal_markers, yuan_en

_FRAG = re.compile(r"(?<=[，,：:])")
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
    text = text.strip().rstrip("；;。")
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


def focus(span: Span, intent: Intent, tiers: list[str] | None = None) -> str:
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
        if tiers and set(tier_tokens(frag)) & set(tiers):
            score += 10  # the figure of the tier asked about (`C类人才最高20万元`)
        if score > best_score:
            best, best_score = i, score
    if best < 0:
        return ""
    start = best
    if best > 0:  # the lead-in (`获得“…”的，`) when it holds more of the question than the figure's part
        before = sum(len(t) for t in span.matched if t in frags[best - 1])
        if before > best_score:
            start = best - 1
    return "".join(frags[start:best + 1]).strip().rstrip("，,；;。")


def verdict(span: Span, language: str) -> str:
    """可以/不可以 for a yes/no question: a prohibition (the modality table's 不得, 禁止 …, or a
    refusal word of intents.toml) says no; any other modal word (or a grant word) says yes."""
    yes, no = modality_words()
    modal = {modality for _, _, modality in modal_markers(span.text)}
    if "prohibit" in modal or any(w in span.text for w in no):
        return "不可以。" if language == "zh" else "No. "
    if modal or any(w in span.text for w in yes):
        return "可以。" if language == "zh" else "Yes. "
    return ""


def yuan(amount: str) -> str:
    """`最高10万元` / `十万元` → `100,000 yuan` (the same value, in English; policykg.text reads it)."""
    return yuan_en(amount)


def _glosses(query, quoted: str) -> str:
    """English readings of what the answer quotes: linked terms, tiers and amounts."""
    parts: list[str] = []
    for m in EN_TIER.finditer(query.text):
        zh = tier_tokens(m.group(0))
        label = zh[0].upper() if zh and zh[0][0].isascii() else (zh[0] if zh else "")
        if label and label in quoted.upper():
            parts.append(f"{m.group(0)} = {label}")
    seen_zh = set()
    for en, zh in query.linked.english:
        if zh and len(zh) >= 2 and zh in quoted and zh not in seen_zh and not any(p.startswith(f"{en} =") for p in parts):
            seen_zh.add(zh)
            parts.append(f"{en} = {zh}")
    for m in AMOUNT.finditer(quoted):
        reading = yuan(m.group(0))
        if reading:
            parts.append(f"{m.group(0).strip()} = {reading}")
    parts = list(dict.fromkeys(parts))[:6]
    return f" ({'; '.join(parts)})" if parts else ""


def _amount_glosses(quoted: str) -> str:
    parts = [f"{m.group(0).strip()} = {yuan(m.group(0))}" for m in AMOUNT.finditer(quoted) if yuan(m.group(0))]
    return f" ({'; '.join(dict.fromkeys(parts))})" if parts else ""


def _benefit_gloss(label: str) -> str:
    """A benefit's label with the English kind of its head word: 资助补贴 → 资助补贴 (subsidy)."""
    from policykg.extract.vocab import load_vocabulary

    heads = load_vocabulary().heads
    ends = [h for h in heads if label.endswith(h)]
    head = max(ends or [h for h in heads if h in label], key=len, default=None)
    return f"{label} ({heads[head]})" if head and heads[head] else label


def compose(kg, query, intent: Intent, spans: list[Span], granted: list[str] | None = None) -> str:
    """The answer from the chosen spans (the first is the answering one); `granted` are the
    graph's benefit labels found in the first span, named up front."""
    lang = query.language
    first = spans[0]
    lead = verdict(first, lang) if intent.name == "yesno" else ""
    grant_zh = f"（可享受：{'、'.join(granted[:4])}）" if granted else ""
    grant_en = f" — granted: {', '.join(_benefit_gloss(g) for g in granted[:4])}" if granted else ""
    part = focus(first, intent, query.linked.tiers) if intent.numeric else ""
    if part and part == _quote(first.text):
        part = ""
    out = []
    for i, span in enumerate(spans):
        quote = _quote(span.text)
        if lang == "zh":
            head = f"{part}。" if i == 0 and part else ""
            ref = f"根据{_ref_zh(kg, span.key)}" if i == 0 else f"另，{_ref_zh(kg, span.key)}规定"
            out.append(f"{head}{ref}：“{quote}”{grant_zh if i == 0 else ''}。")
        else:
            head = f"{part} — " if i == 0 and part else ""
            prefix = "Under" if i == 0 else "Also, under"
            gloss = _glosses(query, quote) if i == 0 else _amount_glosses(quote)
            out.append(f"{prefix} {_ref_en(kg, span.key)}: {head}“{quote}”{grant_en if i == 0 else ''}{gloss}.")
    return lead + ("".join(out) if lang == "zh" else " ".join(out))


_WHAT_ZH = {"amount": "具体金额的规定", "percent": "具体比例的规定", "count": "具体数量的规定",
            "duration": "具体期限的规定", "agency": "负责部门的规定"}
_WHAT_EN = {"amount": "an amount", "percent": "a percentage", "count": "a number", "duration": "a period",
            "agency": "a responsible agency"}


def compose_abstain(kg, query, intent: Intent, spans: list[Span], missing: list[str]) -> str:
    """Say that the documents hold no answer, and what they say nearest to the question
    (quoting a sentence without figures, so no amount is suggested that does not apply).
    `missing` are the question's terms no answering sentence holds (`购房`)."""
    lang = query.language
    plain = [s for s in spans if not AMOUNT.search(s.text) and not PERCENT.search(s.text) and s.coverage > 0]
    near = max(plain, key=lambda s: s.score) if plain else None
    topic = "、".join(f"“{t}”" for t in missing[:2])
    if lang == "zh":
        what = _WHAT_ZH.get(intent.needs, "明确规定")
        about = f"关于{topic}的" if topic else ""
        text = f"现有文件没有{about}{what}，无法据此回答。"
        if near is not None:
            text += f"最接近的内容是{_ref_zh(kg, near.key)}：“{_quote(near.text)}”。"
        return text
    what = _WHAT_EN.get(intent.needs, "an answer to this question")
    about = f" about {topic}" if topic else ""
    text = f"The documents do not state {what}{about}, so I cannot answer this from them."
    if near is not None:
        text += f" The nearest provision is {_ref_en(kg, near.key)}: “{_quote(near.text)}”."
    return text
