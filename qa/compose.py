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


_STATUS_ZH = {"in_force": "现行有效", "draft": "草案，未生效", "superseded": "已被新版本取代", "repealed": "已废止",
              "expired": "已失效"}
_STATUS_EN = {"in_force": "in force", "draft": "a draft, not in force", "superseded": "superseded by a newer version",
              "repealed": "repealed", "expired": "expired"}
_ZH_ORD = "零一二三四五六七八九十"


def _zh_ordinal(n: int) -> str:
    if n <= 10:
        return _ZH_ORD[n]
    return (_ZH_ORD[n // 10] if n >= 20 else "") + "十" + (_ZH_ORD[n % 10] if n % 10 else "")


def unit_label_zh(label: str, unit: tuple[int | None, int | None] | None) -> str:
    """`第十九条` + (1, None) → `第十九条第一款`; items as `第（二）项`."""
    if not unit:
        return label
    paragraph, item = unit
    out = label.strip()
    if paragraph and out.endswith("条"):
        out += f"第{_zh_ordinal(paragraph)}款"
    if item:
        out += f"第（{_zh_ordinal(item)}）项"
    return out


def status_zh(meta) -> str:
    parts = [_STATUS_ZH.get(meta.status, meta.status)]
    if meta.text == "digest":
        parts.append("摘要，非官方全文")
    parts += [x for x in (meta.number, meta.date) if x]
    return "（" + "，".join(p for p in parts if p) + "）"


def status_en(meta) -> str:
    parts = [_STATUS_EN.get(meta.status, meta.status)]
    parts.append("a digest, not the official text" if meta.text == "digest" else "full text")
    if meta.number:
        parts.append(f"No. {meta.number}")
    if meta.date:
        parts.append(f"dated {meta.date}")
    return "(" + "; ".join(p for p in parts if p) + ")"


def _ref_zh(kg, key, unit=None) -> str:
    doc, clause = kg.document(key[0]), kg.clause(*key)
    title = f"“{clause.title}”" if clause.title else ""
    digest = "的摘要" if doc.meta.text == "digest" else ""
    return f"《{doc.meta.title}》{digest}{status_zh(doc.meta)}{unit_label_zh(clause.label, unit)}{title}"


def _ref_en(kg, key, unit=None) -> str:
    from policykg.qa.render import article_en, title_en

    doc, clause = kg.document(key[0]), kg.clause(*key)
    paragraph, item = unit or (None, None)
    if re.fullmatch(r"第.+条", clause.label.strip()):
        article = article_en(clause.number, paragraph, item)
    else:
        article = f"{clause.label.strip()}{f' ({clause.title})' if clause.title else ''}"
    name = title_en(doc.meta.title)
    digest = "a digest of " if doc.meta.text == "digest" else ""
    if not name:
        return f"{article} of {digest}《{doc.meta.title}》 {status_en(doc.meta)}"
    return f"{article} of {digest}the {name} ({doc.meta.title}) {status_en(doc.meta)}"


def _quote(text: str) -> str:
    text = text.strip().rstrip("；;。")
    return text if len(text) <= MAX_QUOTE else text[:MAX_QUOTE] + "…"


def focus(span: Span, intent: Intent, tiers: list[str] | None = None, words: list[list[str]] | None = None,
          prefer: list[list[str]] | None = None) -> str:
    """For a figure question: the part of the sentence that holds the figure (with its lead-in);
    a figure inside a case (`三年以上的`) is not the figure asked for; `words` are the question's
    focus words (the fragment naming them wins a tie); `prefer` the words of the unit and rate asked
    for (qa.measure: `每月`, `小时`), which outweigh the question's other words."""
    from policykg.qa.conditions import BELOW, BOTH, FROM, UPTO

    pattern = intent.pattern()
    if pattern is None:
        return ""
    frags = [f for f in _FRAG.split(span.text) if f.strip()]
    best, best_score = -1, -1.0
    for i, frag in enumerate(frags):
        bare = frag
        for cond in (BOTH, FROM, BELOW, UPTO):
            bare = cond.sub("", bare)
        if not pattern.search(bare):
            continue
        score = sum(len(t) for t in span.matched if t in frag)
        score += sum(5 for g in words or [] if any(t in frag for t in g))
        score += sum(20 for g in prefer or [] if any(t in frag for t in g))
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
    end = best + 1
    if end < len(frags) and frags[best].strip().rstrip("，,").endswith("的"):
        end += 1  # `…不足一千元的，` is a case: the figure stated for it follows (`为一千元`)
    return "".join(frags[start:end]).strip().rstrip("，,；;。")


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


_LEAD_ZH = {("yes", "may"): "可以。", ("no", "may"): "不可以。", ("yes", "must"): "是，必须这样做。",
            ("yes", "plain"): "是。", ("no", "plain"): "否。", ("yes", "not"): "可以。", ("no", "not"): "不可以，这是法定义务。",
            ("permitted", "must"): "不是必须的：文件规定可以这样做，但没有要求必须这样做。"}
_LEAD_EN = {("yes", "must"): "Yes, this is required. ", ("no", "not"): "No, this is required. ",
            ("permitted", "must"): "Not required: the text permits this (“may”) but does not require it. "}


def verdict_lead(v, language: str) -> str:
    """The verdict's first words: 可以/不可以 to "may …?", 是/否 to "is …?", "Yes"/"No" in English, with
    what the scope says when the question asks about a duty (prohibited, not required, permitted
    only) and the condition the verdict holds under when the question does not state it."""
    from policykg.qa.render import gloss

    if language == "zh":
        lead = _LEAD_ZH.get((v.answer, v.ask))
        if lead is None and v.answer == "no" and v.ask == "must":
            lead = "不，这是禁止的。" if v.kind == "no" else "不需要。"
        lead = lead or {"yes": "是。", "no": "否。"}[v.answer]
        if v.condition:
            lead = f"仅在“{v.condition.rstrip('，,的')}”的情形下：{lead}"
        return lead
    lead = _LEAD_EN.get((v.answer, v.ask))
    if lead is None and v.answer == "no" and v.ask == "must":
        lead = "No, this is prohibited. " if v.kind == "no" else "No, this is not required. "
    lead = lead or {"yes": "Yes. ", "no": "No. "}[v.answer]
    if v.condition:
        where = gloss(v.condition.rstrip("，,的")) or "the case"
        lead = f"{lead.rstrip('. ')}, but only in the case the provision names: where {where} (“{v.condition.rstrip('，,')}”). "
    return lead


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


def compose(kg, query, intent: Intent, spans: list[Span], granted: list[str] | None = None, *,
            lead: str | None = None, units: dict | None = None, note: str = "", whole: bool = False,
            focus_words: list[list[str]] | None = None, seen: dict[str, int] | None = None,
            prefer: list[list[str]] | None = None) -> str:
    """The answer from the chosen spans (the first is the answering one); `granted` are the
    graph's benefit labels found in the first span, named up front; `lead` the yes/no verdict
    (None: the modality words' default); `units` the (paragraph, item) of each span's clause;
    `note` a remark on the first span (e.g. that it names no concrete benefit); `seen` the quotes an
    earlier part of the question quoted (quote → that part's number): named, not quoted again."""
    from policykg.qa.render import render_sentence as render

    lang = query.language
    units = units or {}
    first = spans[0]
    if lead is None:
        lead = verdict(first, lang) if intent.name == "yesno" else ""
    grant_zh = f"（可享受：{'、'.join(granted[:4])}）" if granted else ""
    grant_en = f" — granted: {', '.join(_benefit_gloss(g) for g in granted[:4])}" if granted else ""
    part = focus(first, intent, query.linked.tiers, focus_words, prefer) if intent.numeric and not whole else ""
    if part and part == _quote(first.text):
        part = ""
    out = []
    for i, span in enumerate(spans):
        quote = _quote(span.text) if not (whole and i == 0) else span.text.strip().rstrip("；;。")
        unit = units.get((span.key, span.index))
        if seen and quote in seen:  # an earlier part quoted it: its figure, and where, once
            n = seen[quote]
            if lang == "zh":
                head = f"{part}。" if i == 0 and part else ""
                ref = f"根据{_ref_zh(kg, span.key, unit)}" if i == 0 else f"另见{_ref_zh(kg, span.key, unit)}"
                out.append(f"{head}{ref}（原文见（{n}））。")
            else:
                said = render(part).rstrip(". ") if i == 0 and part else ""
                prefix = "Under" if i == 0 else "Also, under"
                said = f": {said}" if len(said.split()) >= 2 else ""
                out.append(f"{prefix} {_ref_en(kg, span.key, unit)} (quoted in ({n})){said}.")
            continue
        if lang == "zh":
            head = f"{part}。" if i == 0 and part else ""
            ref = f"根据{_ref_zh(kg, span.key, unit)}" if i == 0 else f"另，{_ref_zh(kg, span.key, unit)}规定"
            remark = f"{note}" if i == 0 and note else ""
            out.append(f"{head}{ref}：“{quote}”{grant_zh if i == 0 else ''}。{remark}")
        else:
            short = len(quote) <= 90 and not (whole and i == 0)  # a short sentence: rendered whole, with its case
            english = render(quote if short or not (i == 0 and part) else part)
            prefix = "Under" if i == 0 else "Also, under"
            gloss = _glosses(query, quote) if i == 0 else _amount_glosses(quote)
            said = f"{english}. " if len(english.split()) >= 3 else ""
            remark = f" {note}" if i == 0 and note else ""
            out.append(f"{prefix} {_ref_en(kg, span.key, unit)}: {said}Chinese text: “{quote}”"
                       f"{grant_en if i == 0 else ''}{gloss}.{remark}")
    return lead + ("".join(out) if lang == "zh" else " ".join(out))


_WHAT_ZH = {"amount": "具体金额的规定", "amount_or_share": "具体金额的规定", "percent": "具体比例的规定", "count": "具体数量的规定",
            "duration": "具体期限的规定", "agency": "负责部门的规定"}
_WHAT_EN = {"amount": "an amount", "amount_or_share": "an amount", "percent": "a percentage", "count": "a number", "duration": "a period",
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


def compose_undecided(kg, query, span: Span, unit=None) -> str:
    """A yes/no question whose best sentence neither permits nor forbids the act asked."""
    quote = _quote(span.text)
    if query.language == "zh":
        return (f"现有文件没有明确规定是否可以这样做，无法回答“是”或“否”。"
                f"最接近的内容是{_ref_zh(kg, span.key, unit)}：“{quote}”。")
    from policykg.qa.render import render_sentence as render

    english = render(quote)
    said = f" ({english})" if english else ""
    return (f"The documents neither permit nor forbid this in so many words, so I cannot answer yes or no. "
            f"The nearest provision is {_ref_en(kg, span.key, unit)}{said}: “{quote}”.")
