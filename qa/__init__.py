"""Question answering: `answer(searcher, question)` → the `ask --json` object of CONTRACT.md.

`searcher` is a `policykg.search.Searcher`; the documents and the graph are its `store`.

Steps: link and rank (policykg.search), classify the intent (qa.intent), score the sentences of
the best clauses (qa.spans), pick the answering sentence and, where other documents answer too,
their sentences; abstain when no sentence holds what the question asks for; write the answer in
the question's language (qa.compose) quoting the evidence; attach the graph facts (qa.facts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from policykg.qa.compose import _quote, compose, compose_abstain, compose_undecided, unit_label_zh, verdict_lead
from policykg.qa.conditions import condition_part, fit, question_ranges, ranges, strip_cases
from policykg.qa.facts import facts_for
from policykg.qa.focus import en_focus, present, synonyms, zh_focus
from policykg.qa.intent import Intent, asker_words, classify, english_light_words
from policykg.qa.measure import asked as asked_measure
from policykg.qa.spans import Span, TermWeights, clause_spans, content_terms, question_terms, score_span, zh_groups
from policykg.qa.units import ITEM, locate
from policykg.qa.yesno import EXCEPT, decide
from policykg.qa.parts import split_parts
from policykg.search.text import is_chinese, tier_tokens
from policykg.text import split_sentences

CANDIDATES = 6  # clauses whose sentences are read
MIN_COVERAGE = 0.4  # share of the question's content a span must hold to answer a figure question
MIN_COVERAGE_TEXT = 0.3  # … any other question
SECOND_DOC = 0.8  # another document's span is added when its score reaches this share of the best
BONUS_GRAPH = 0.3  # a span that is the sentence of a benefit granted to what the question names
CLAUSE_PRIOR = 0.35
SUPERLATIVES = {"最长", "最短", "最多", "最少", "最高", "最低", "多久", "多长"}  # ask for the figure, not in it
UNIT_BONUS = 0.3  # a figure in the unit asked for (`多少天` → 三十日), more at the rate asked (`每月`)
CASE_BONUS = 0.5  # a figure stated for the case the question names (`三年以上的`)
YESNO_POOL = 0.6  # sentences scoring this share of the best may decide a yes/no question
TIE = 0.9  # another sentence of the answering clause scoring this share of the best is quoted too  # weight of the clause's retrieval score (scaled to the best) in a span's score


@dataclass
class Candidate:
    span: Span
    total: float


def _weights(searcher) -> TermWeights:
    weights = getattr(searcher, "_qa_weights", None)
    if weights is None:
        weights = TermWeights([s.lower() for s in searcher.indexes.sentence_text])
        searcher._qa_weights = weights
    return weights


def answer(searcher, question: str, as_of: str | None = None) -> dict:
    """The answer from the texts in force on `as_of` (today when None); citations name version and
    status. A question of several parts (qa.parts) gets one unit per part."""
    language = "zh" if is_chinese(question) else "en"
    parts = split_parts(question, language)
    if len(parts) < 2:
        r = _answer_one(searcher, question, as_of)
        r.pop("_quoted", None)
        return r
    results: list[dict] = []
    seen: dict[str, int] = {}  # quotes of the earlier parts → their unit's number
    for p, c in parts:
        r = _answer_one(searcher, question, as_of, asked=p, context=c, seen=seen)
        texts = list(dict.fromkeys(x["answer"] for x in results + [r]))
        for q in r.get("_quoted", []):
            seen.setdefault(q, texts.index(r["answer"]) + 1)
        results.append(r)
    return _join_parts(question, language, results)


def _join_parts(question: str, language: str, results: list[dict]) -> dict:
    """One answer of numbered units (the same unit once), the citations of each unit first."""
    for r in results:
        r.pop("_quoted", None)
    texts = list(dict.fromkeys(r["answer"] for r in results))
    if len(texts) == 1:
        return results[0]
    text = "".join(f"（{i}）{t}" for i, t in enumerate(texts, 1)) if language == "zh" else \
        " ".join(f"({i}) {t}" for i, t in enumerate(texts, 1))
    cites: list[dict] = []
    seen: set = set()
    for rank in range(5):
        for r in results:
            if rank < len(r["citations"]):
                c = r["citations"][rank]
                key = (c["document"], c["number"], c.get("unit"))
                if key not in seen:
                    seen.add(key)
                    cites.append(c)
    facts: list = []
    for r in results:
        facts += [f for f in r["facts"] if f not in facts]
    return {"question": question, "language": language, "answer": text,
            "abstained": all(r["abstained"] for r in results), "citations": cites[:6], "facts": facts}


def _answer_one(searcher, question: str, as_of: str | None = None, asked: str | None = None,
                context: str = "", seen: dict[str, int] | None = None) -> dict:
    """The answer to `asked` (a part of `question`, with the `context` pieces that ask nothing),
    from the clauses retrieved for the whole question."""
    store = searcher.store
    query = searcher.analyse(question, exclude=store.versions.excluded(as_of))
    asked = asked or question
    own = f"{context} {asked}".strip() if asked != question else question
    intent = classify(asked, query.language)
    ranking = searcher.rank(query)
    top = ranking.top(CANDIDATES, scoped=True)
    if own != question:  # a part: its own best clauses too (each list scaled to its best)
        part_top = searcher.rank(searcher.analyse(asked, exclude=query.exclude)).top(CANDIDATES, scoped=True)
        top = _merge_tops(part_top, top)
    weights = _weights(searcher)
    drop = set(_place_tokens(query)) | asker_words()
    if query.language == "zh":
        cues = SUPERLATIVES if intent.numeric else set()
        groups = zh_groups(own, content_terms(question_terms(own, []), drop | cues), weights.known)
        syn = synonyms()
        defined = _definitions(searcher, own, [g[0] for g in groups], query.exclude)
        if defined:  # `未成年人是指…`: the sentence that defines a term the question asks about
            top = _merge_tops([(k, 1.0) for k in defined], top)
        extra = [t for g in groups for t in g[1:] if t not in own and (not weights.known(g[0]) or t in syn.get(g[0], ()))]
        if extra:  # the clauses of the statute's words for its everyday words too (交费 → 收费, 香烟 → 烟)
            zq = searcher.analyse(f"{question} {' '.join(dict.fromkeys(extra))}", exclude=query.exclude)
            top = _merge_tops(top, searcher.rank(zq).top(CANDIDATES, scoped=True))
    else:
        groups = _english_groups(query if own == question else searcher.analyse(own))
    groups = [list(g) for g in dict.fromkeys(tuple(g) for g in groups)]
    if query.language == "en" and groups:  # the best clauses of its Chinese terms too (its place, the legal
        # vocabulary's words, its figures)
        zh = " ".join(dict.fromkeys([*query.linked.places, *(z for g in groups + number_groups(own) for z in g[:2])]))
        top = _merge_tops(top, searcher.rank(searcher.analyse(zh, exclude=query.exclude)).top(CANDIDATES, scoped=True))
    labels = [sorted(c.zh, key=len, reverse=True) for c in query.linked.concepts]
    best_clause = top[0][1] if top and top[0][1] > 0 else 1.0
    candidates: list[Candidate] = []
    befores: dict[tuple[tuple[str, int], int], str] = {}  # the sentences before a span in its paragraph
    titles = {key: _context(store, key) for key, _ in top}
    for key, clause_score in top:
        clause = store.clause(*key)
        base = clause.body or clause.text
        previous, offset = "", len(clause.text) - len(base)
        for span in clause_spans(key, base, offset):
            start = span.end - offset - len(span.text)
            if "\n" in base[max(0, start - 2):start]:
                previous = ""  # a new paragraph continues no sentence
            score_span(span, groups, weights, intent, labels, query.linked.tiers, question, titles[key],
                       before=previous.lower() if intent.numeric else "")  # a figure may continue its topic
            befores[(key, span.index)] = previous
            previous += span.text
            candidates.append(Candidate(span, span.score + CLAUSE_PRIOR * clause_score / best_clause))
    if intent.name in GRAPH_INTENTS:
        _graph_bonus(searcher, query, candidates)
    candidates.sort(key=lambda c: -c.total)
    focus: list[list[str]] = []
    if intent.numeric:
        focus = (zh_groups(asked, zh_focus(asked, drop), unheld=False) if query.language == "zh"  # 别人 ~ 他人
                 else en_focus(asked, searcher.linker.lexicon))
    answering = [c for c in candidates if _same_tier(c.span, query.linked.tiers, intent)
                 and _answers(c.span, intent, focus, f"{store.clause(*c.span.key).title} "
                                                     f"{befores.get((c.span.key, c.span.index), '')}")]
    if not answering and focus:  # a focus word may name the whole document (`…激励办法的有效期`)
        answering = [c for c in candidates if _same_tier(c.span, query.linked.tiers, intent)
                     and _answers(c.span, intent, focus, _context(store, c.span.key))]
    case = (question_ranges(asked) or question_ranges(context)) if intent.numeric else []
    if case:  # a figure stated only for other cases (`一年以上不满三年的`) does not answer
        answering = [c for c in answering if fit(case, c.span.text) >= 0]
        for c in answering:
            if fit(case, c.span.text) == 1:
                c.total += CASE_BONUS
        answering.sort(key=lambda c: -c.total)
    measure = asked_measure(asked, query.language) if intent.numeric else None
    if measure is not None:  # a figure of another kind (an amount for `多少天`) does not answer
        fits = {id(c): measure.fit(c.span.text) for c in answering}
        answering = [c for c in answering if fits[id(c)] >= 0]
        for c in answering:
            c.total += UNIT_BONUS * fits[id(c)]
        answering.sort(key=lambda c: -c.total)
    base = {"question": question, "language": query.language}
    if not answering:
        nearest = _nearest(candidates, top)
        citations = [store.clause_ref(store.clause(*k), s, as_of) for k, s in nearest]
        near_spans = [c.span for c in candidates if c.span.key in dict(nearest)]
        held = {t for c in candidates for t in c.span.matched if c.span.key in dict(nearest)}
        missing = [g[0] for g in focus if not any(present(t, " ".join(held)) for t in g)]
        if not missing:
            missing = sorted((g[0] for g in groups if not any(t in held for t in g) and len(g[0]) >= 2),
                             key=lambda t: -weights.idf(t))
        text = compose_abstain(store, query, intent, near_spans, missing)
        return {**base, "answer": text, "abstained": True, "citations": citations,
                "facts": facts_for(store, query, [k for k, _ in nearest[:1]])}
    lead, whole = None, False
    quoted: dict[tuple[tuple[str, int], int], str] = {}  # a span quoted with more than its own text
    if intent.name == "yesno":
        pool = [c for c in answering[:8] if c.total >= YESNO_POOL * answering[0].total]
        pool += [c for c in candidates[:20] if c not in pool and _with_lead_in(store, c.span)]  # items: with their lead-in
        unknown, asked_zh = _unlinked(searcher.analyse(own), searcher) if query.language == "en" else (0, "")
        numbers = number_groups(own) if query.language == "en" else []  # a figure asked must be the sentence's
        listed = {id(c): _with_lead_in(store, c.span) for c in pool}  # an item read with its list's lead-in
        decided = [(c, decide(listed[id(c)] or c.span.text, own, groups, weights.idf, query.language,
                              _context(store, c.span.key), unknown=unknown + _numbers_missing(numbers, listed[id(c)]
                                                                                          or c.span.text),
                              question_zh=asked_zh,
                              listed=bool(listed[id(c)]), known=weights.known, seen=weights.known))
                   for c in pool]
        good = [(c, v) for c, v in decided if v.answer]
        if not good:
            span = answering[0].span
            units = {(span.key, span.index): locate(store.clause(*span.key).body, span.text)}
            citations = _citations(store, [span], top, units, as_of)
            return {**base, "answer": compose_undecided(store, query, span, units[(span.key, span.index)]),
                    "abstained": True, "citations": citations, "facts": facts_for(store, query, [span.key])}
        best, v = max(good, key=lambda cv: (round(cv[1].rank, 3), cv[0].total))
        chosen = [best]
        if listed[id(best)]:
            quoted[(best.span.key, best.span.index)] = listed[id(best)]
        lead = verdict_lead(v, query.language)
        if v.excepted or EXCEPT.search(best.span.text):  # `除…外，不得解除`: the verdict holds but for the cases named
            lead = {"zh": lead.rstrip("。") + "（文中所列例外情形除外）。",
                    "en": lead.rstrip(". ") + ", except in the cases the provision names. "}[query.language]
    else:
        chosen = _choose(answering)
        if not intent.numeric:
            chosen = [_with_tied_sentences(c, candidates) for c in chosen]
        elif not case:
            merged = _all_cases(chosen[0], candidates, intent)
            if merged is not None:
                chosen, whole = [merged] + chosen[1:], True
    spans = [c.span for c in chosen]
    units = {(s.key, s.index): locate(store.clause(*s.key).body, s.text) for s in spans}
    citations = _citations(store, spans, top, units, as_of)
    spans = [Span(sp.key, sp.index, quoted[(sp.key, sp.index)], sp.end, sp.score, sp.coverage, sp.has_pattern,
                  sp.matched) if (sp.key, sp.index) in quoted else sp for sp in spans]
    granted = _granted(searcher, query, chosen[0].span) if intent.name == "benefit" else []
    note = _no_concrete_benefit(store, query, chosen[0].span, granted) if intent.name in ("benefit", "list") else ""
    text = compose(store, query, intent, spans, granted, lead=lead, units=units, note=note, whole=whole,
                   focus_words=focus, seen=seen, prefer=(measure.words() if measure is not None else []) + bound_words(asked))
    return {**base, "answer": text, "abstained": False, "citations": citations,
            "facts": facts_for(store, query, [c.span.key for c in chosen]),
            "_quoted": [_quote(s.text) for s in spans]}


_UPPER_ASKED = re.compile(r"最多|最高|最长|上限|至多|不超过|不能超过|\bat most\b|\bmaximum\b|\blongest\b")
_LOWER_ASKED = re.compile(r"最少|最低|最短|下限|至少|不低于|不少于|\bat least\b|\bminimum\b")


_ASKS_DEFINITION = re.compile(r"是指|指的是|什么是|是什么意思|指什么|指多|所说的|所称|怎么界定|如何界定|定义|算是|属于")


def _definitions(searcher, question: str, terms: list[str], exclude) -> list[tuple[str, int]]:
    """Clauses whose sentence defines a term of a question that asks what it is (`本法所称未成年人是指…`)."""
    if not _ASKS_DEFINITION.search(question):
        return []
    idx = searcher.indexes
    out: list[tuple[str, int]] = []
    for t in (t for t in terms if len(t) >= 2):
        for row, text in enumerate(idx.sentence_text):
            if f"所称{t}" in text or re.search(f"所称[^，,。]{{0,8}}{re.escape(t)}[^，,。]{{0,4}}[，,]?是指", text):
                key = idx.keys[int(idx.sentence_clause[row])]
                if key[0] not in (exclude or ()) and key not in out:
                    out.append(key)
    return out[:3]


def bound_words(question: str) -> list[list[str]]:
    """The words of the bound a figure question asks for (`最多抽多少` → 最多, 不得超过 …), which mark the
    fragment that states it (`一般为二百毫升，最多不得超过四百毫升`)."""
    q = question.lower()
    if _UPPER_ASKED.search(q):
        return [["最多", "最高", "最长", "不得超过", "不超过", "至多", "以内", "以下", "上限"]]
    if _LOWER_ASKED.search(q):
        return [["最少", "最低", "不得低于", "不低于", "不少于", "至少", "以上", "不足", "下限"]]
    return []


def _citations(store, spans: list[Span], top, units: dict, as_of: str | None = None) -> list[dict]:
    """The answering clauses first (with the paragraph and item that answer), then the ranking."""
    keys = list(dict.fromkeys([s.key for s in spans] + [k for k, _ in top]))
    scores = dict(top)
    out = []
    for k in keys[:5]:
        clause = store.clause(*k)
        ref = store.clause_ref(clause, scores.get(k, 0.0), as_of)
        unit = next((units[(s.key, s.index)] for s in spans if s.key == k and (s.key, s.index) in units), None)
        if unit and any(unit):
            ref["paragraph"], ref["item"] = unit
            ref["unit"] = unit_label_zh(clause.label, unit)
        out.append(ref)
    return out


def _all_cases(chosen: Candidate, candidates: list[Candidate], intent: Intent) -> Candidate | None:
    """A figure question naming no case, answered by one case of several (`…一年以上不满三年的，…
    二个月；三年以上的…六个月`): quote every case of that paragraph with its figure."""
    span = chosen.span
    if not ranges(condition_part(span.text)):
        return None
    pattern = intent.pattern()
    siblings = [c.span for c in candidates if c.span.key == span.key and c.span.index != span.index
                and abs(c.span.index - span.index) <= 4 and pattern is not None
                and pattern.search(strip_cases(c.span.text))
                and ranges(condition_part(c.span.text))]
    if not siblings:
        return None
    parts = sorted({s.index: s for s in [span] + siblings}.values(), key=lambda x: x.index)
    merged = Span(span.key, span.index, "；".join(p.text.rstrip("；;。") for p in parts), span.score, span.coverage,
                  True, list(dict.fromkeys(t for p in parts for t in p.matched)))
    return Candidate(merged, chosen.total)


_VAGUE = re.compile(r"(?:相应|有关|相关)(?:的)?(?:政策)?(?:待遇|支持|政策)")
_CONCRETE = re.compile(r"补贴|补助|奖励|奖金|资助|津贴|公寓|住房|落户|入学|医疗|安家|\d|[一二三四五六七八九十]+[万千百]?元")


def _no_concrete_benefit(store, query, span: Span, granted: list[str]) -> str:
    """When the answering sentence grants only `相应政策待遇` and names no concrete benefit, say so."""
    if [g for g in granted if not _VAGUE.search(g)] or not _VAGUE.search(span.text) or _CONCRETE.search(span.text):
        return ""
    phrase = _VAGUE.search(span.text).group(0)
    meta = store.document(span.key[0]).meta
    if query.language == "zh":
        which = "该草案" if meta.status == "draft" else "该文件"
        return f"注意：{which}没有列明具体待遇，只写“{phrase}”。"
    which = "the draft" if meta.status == "draft" else "the document"
    return f"Note: {which} names no concrete benefit: it says only “{phrase}”."


GRAPH_INTENTS = ("benefit", "amount", "count", "list", "yesno", "other")


def _sentence_end(store, key: tuple[str, int], sentence: str, cache: dict) -> int | None:
    """Where a graph fact's sentence (pol:sentence, cut by the same splitter) ends in its clause."""
    if key not in cache:
        cache[key] = {s.text: s.end for s in split_sentences(store.clause(*key).text)}
    return cache[key].get(sentence.strip())


def _granted(searcher, query, span: Span) -> list[str]:
    """Labels of the graph's benefits granted in the answering sentence to what the question
    names (only labels the sentence itself contains, without figures)."""
    if not query.linked.concepts:
        return []
    iris = {i for c in query.linked.concepts for i in c.iris}
    ends: dict = {}
    out = []
    for b in searcher.benefits:
        if b.key != span.key or not (iris & b.beneficiaries) or not b.label:
            continue
        if _sentence_end(searcher.store, b.key, b.sentence, ends) == span.end and b.label in span.text \
                and not any(ch.isdigit() for ch in b.label):
            out.append(b.label)
    out = list(dict.fromkeys(out))
    return [lab for lab in out if not any(lab != other and lab in other for other in out)]


def _graph_bonus(searcher, query, candidates: list[Candidate]) -> None:
    """Benefit lookup through the graph: raise the spans that are the sentence of a benefit
    whose beneficiary is (or is narrower than) a concept the question names."""
    concepts = query.linked.concepts
    if not concepts:
        return
    ends: dict = {}
    granted: dict[tuple[tuple[str, int], int], set[int]] = {}  # (clause, sentence end) → concepts
    for b in searcher.benefits:
        who = {i for i, c in enumerate(concepts) if c.iris & b.beneficiaries}
        end = _sentence_end(searcher.store, b.key, b.sentence, ends) if who and b.sentence else None
        if end is not None:
            granted.setdefault((b.key, end), set()).update(who)
    for cand in candidates:
        who = granted.get((cand.span.key, cand.span.end), set())
        if who:
            bonus = BONUS_GRAPH * len(who) / len(concepts)
            cand.span.score += bonus
            cand.total += bonus


def _context(store, key) -> str:
    """What a span's words may also come from: its clause's title and its document's title."""
    return f"{store.clause(*key).title} {store.document(key[0]).meta.title}"


def _same_tier(span: Span, tiers: list[str], intent: Intent) -> bool:
    """A figure for other tiers does not answer a question about this one (`B类、C类人才每月…2000元`
    says nothing about A类)."""
    if not tiers or not intent.numeric:
        return True
    named = set(tier_tokens(span.text))
    return not named or bool(named & set(tiers))


def _answers(span: Span, intent: Intent, focus: list[list[str]], context: str) -> bool:
    """Does this span answer a question of this intent? A figure question needs the figure and
    every focus word (see qa.focus); any question needs enough of its content."""
    if intent.numeric:
        where = f"{span.text} {context}"
        return (span.has_pattern and span.coverage >= MIN_COVERAGE
                and all(any(present(t, where) for t in group) for group in focus))
    return span.coverage >= MIN_COVERAGE_TEXT


def _with_tied_sentences(chosen: Candidate, candidates: list[Candidate]) -> Candidate:
    """Quote the other sentences of the same clause that answer as well (within 10%): when two
    sentences tie, the answer may be in either."""
    span = chosen.span
    ties = [c.span for c in candidates if c.span.key == span.key and c.span.index != span.index
            and c.span.score >= TIE * span.score and c.span.coverage >= span.coverage * TIE]
    if not ties:
        return chosen
    parts = sorted([span] + ties, key=lambda x: x.index)
    merged = Span(span.key, span.index, "".join(p.text for p in parts), span.end, span.score, span.coverage,
                  span.has_pattern, list(dict.fromkeys(t for p in parts for t in p.matched)))
    return Candidate(merged, chosen.total)


def _choose(answering: list[Candidate]) -> list[Candidate]:
    """The best span, plus the best span of each other document that answers almost as well."""
    best = answering[0]
    chosen = [best]
    docs = {best.span.key[0]}
    for cand in answering[1:]:
        if cand.span.key[0] in docs or len(chosen) == 3:
            continue
        if cand.total >= SECOND_DOC * best.total:
            chosen.append(cand)
            docs.add(cand.span.key[0])
    return chosen


def _nearest(candidates: list[Candidate], top) -> list[tuple[tuple[str, int], float]]:
    """Clauses nearest to an unanswerable question: those of the best spans, then the ranking."""
    scores = dict(top)
    keys = list(dict.fromkeys([c.span.key for c in candidates] + [k for k, _ in top]))
    return [(k, scores.get(k, 0.0)) for k in keys[:3]]


@lru_cache(maxsize=1)
def _legal_reverse() -> dict[str, list[str]]:
    from policykg.search.linking import _norm_en, legal_terms

    out: dict[str, list[str]] = {}
    for zh, labels in legal_terms().items():
        for label in labels:
            out.setdefault(_norm_en(label), []).append(zh)
    return out


def _english_groups(query) -> list[list[str]]:
    """An English question's term groups: each linked word's Chinese alternatives, with the legal
    vocabulary's terms for the same word (the general word list links `pay` to 工资; the legal
    vocabulary adds 缴纳 and 支付)."""
    from types import SimpleNamespace

    from policykg.search.linking import Lexicon

    legal = SimpleNamespace(words=_legal_reverse())
    light = english_light_words()
    groups: list[list[str]] = []
    used: set[int] = set()
    for surface, zh0 in query.linked.english:
        i = next((i for i, g in enumerate(query.linked.groups) if zh0 in g), None)
        base = query.linked.groups[i] if i is not None else []
        if i is not None:
            used.add(i)
        if surface in light:
            continue
        extra = Lexicon.lookup(legal, surface) or []
        group = [z for z in dict.fromkeys(list(base) + extra) if len(z) >= 2]
        if group:
            groups.append(group)
    groups += [list(g) for i, g in enumerate(query.linked.groups) if g and i not in used]
    return groups


_EN_NUMBERS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_EN_NUMBERS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
_CN = "零一二三四五六七八九"


def _cn(n: int) -> str:
    if n < 10:
        return _CN[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else _CN[tens]}十{_CN[ones] if ones else ''}"
    return str(n)


def english_numbers(text: str) -> list[tuple[str, int]]:
    """The numbers an English question writes, as words (`sixteen`, `twenty-five`) or digits."""
    out = []
    words = re.findall(r"\d{1,4}|[a-z]+", text.lower())
    i = 0
    while i < len(words):
        w = words[i]
        if w.isdigit():
            out.append((w, int(w)))
        elif w in _EN_NUMBERS:
            nxt = _EN_NUMBERS.get(words[i + 1]) if i + 1 < len(words) else None
            if _EN_NUMBERS[w] >= 20 and nxt is not None and 0 < nxt < 10:
                out.append((f"{w} {words[i + 1]}", _EN_NUMBERS[w] + nxt))
                i += 1
            else:
                out.append((w, _EN_NUMBERS[w]))
        i += 1
    return out


def _numbers_missing(numbers: list[list[str]], text: str) -> int:
    """How many of an English question's figures the sentence does not state (each counts as an
    unknown word: `a fifteen-year-old` is not answered by a sentence about women)."""
    return sum(1 for g in numbers if not any(z in text for z in g))


def number_groups(text: str) -> list[list[str]]:
    """A group for each number of an English question (`sixteen` → 十六 or 16), so its clauses are
    looked up with the figure (`未满十六周岁`)."""
    return [[_cn(n), str(n)] for _, n in english_numbers(text) if n > 1]


def _with_lead_in(store, span: Span) -> str:
    """An item that is a case (`（六）在上下班途中…的`) with the lead-in of its list
    (`职工有下列情形之一的，应当认定为工伤：`), or "" when the span is no such item."""
    if not ITEM.match(span.text):
        return ""
    lines = [ln.strip() for ln in (store.clause(*span.key).body or "").split("\n") if ln.strip()]
    needle = span.text.strip().rstrip("。；;")[:40]
    at = next((i for i, ln in enumerate(lines) if needle and needle in ln), None)
    if at is None:
        return ""
    lead = next((ln for ln in reversed(lines[:at]) if not ITEM.match(ln)), "")
    if not re.search(r"(?:下列|以下)[^，,。]{0,12}之一", lead) or not lead.rstrip().endswith(("：", ":")):
        return ""
    return f"{lead.rstrip()}{span.text.strip()}"


def _merge_tops(*tops) -> list[tuple[tuple[str, int], float]]:
    merged: dict[tuple[str, int], float] = {}
    for top in tops:
        best = top[0][1] if top and top[0][1] > 0 else 1.0
        for key, score in top:
            merged[key] = max(merged.get(key, 0.0), score / best)
    return sorted(merged.items(), key=lambda kv: -kv[1])[:CANDIDATES + 3]


def _unlinked(query, searcher) -> tuple[int, str]:
    """An English question's content words that nothing links (their count), and the Chinese
    terms of the words that are linked (to tell whether the question states a condition)."""
    from policykg.search.text import stopwords

    linked = " ".join(surface for surface, _ in query.linked.english)
    covered = set(re.findall(r"[a-z]+", linked.lower()))
    stop = stopwords() | {"can", "may", "could", "must", "should", "does", "do", "did", "is", "are", "was", "be",
                          "have", "has", "had", "will", "would", "my", "me", "i", "you", "your", "his", "her",
                          "their", "they", "he", "she", "it", "its", "someone", "somebody", "any", "anyone",
                          "them", "this", "that", "there", "what", "when", "who", "how", "because", "if", "when",
                          "with", "without", "from", "by", "at", "as", "after", "before", "not", "get", "make"}
    stop |= english_light_words()
    words = [w for w in re.findall(r"[a-z]+", query.text.lower()) if len(w) > 2 and w not in stop]
    numbers = {w for surface, _ in english_numbers(query.text) for w in surface.replace("-", " ").split()}
    unknown = [w for w in words if w not in covered and w not in numbers and not searcher.linker.lexicon.lookup(w)]
    return len(unknown), " ".join(z for g in query.linked.groups for z in g)


def _place_tokens(query) -> list[str]:
    out = []
    for core in query.linked.places:
        out += [core, core + "区", core + "市", core + "县", core + "省"]
    return out


__all__ = ["answer"]
