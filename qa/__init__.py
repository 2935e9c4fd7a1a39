"""Question answering: `answer(searcher, question)` → the `ask --json` object of CONTRACT.md.

`searcher` is a `policykg.search.Searcher`; the documents and the graph are its `store`.

Steps: link and rank (policykg.search), classify the intent (qa.intent), score the sentences of
the best clauses (qa.spans), pick the answering sentence and, where other documents answer too,
their sentences; abstain when no sentence holds what the question asks for; write the answer in
the question's language (qa.compose) quoting the evidence; attach the graph facts (qa.facts).
"""
from __future__ import annotations

from dataclasses import dataclass

from policykg.qa.compose import compose, compose_abstain
from policykg.qa.facts import facts_for
from policykg.qa.focus import en_focus, present, zh_focus
from policykg.qa.intent import Intent, classify
from policykg.qa.spans import Span, TermWeights, clause_spans, content_terms, question_terms, score_span
from policykg.search.text import tier_tokens
from policykg.text import split_sentences

CANDIDATES = 6  # clauses whose sentences are read
MIN_COVERAGE = 0.4  # share of the question's content a span must hold to answer a figure question
MIN_COVERAGE_TEXT = 0.3  # … any other question
SECOND_DOC = 0.8  # another document's span is added when its score reaches this share of the best
BONUS_GRAPH = 0.3  # a span that is the sentence of a benefit granted to what the question names
CLAUSE_PRIOR = 0.35
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
    """The answer from the texts in force on `as_of` (today when None); citations name version and status."""
    store = searcher.store
    query = searcher.analyse(question, exclude=store.versions.excluded(as_of))
    intent = classify(question, query.language)
    ranking = searcher.rank(query)
    top = ranking.top(CANDIDATES, scoped=True)
    weights = _weights(searcher)
    drop = set(_place_tokens(query))
    if query.language == "zh":
        groups = [[t] for t in content_terms(question_terms(question, []), drop)]
    else:
        groups = [g for g in query.linked.groups if g]
    groups = [list(g) for g in dict.fromkeys(tuple(g) for g in groups)]
    labels = [sorted(c.zh, key=len, reverse=True) for c in query.linked.concepts]
    best_clause = top[0][1] if top and top[0][1] > 0 else 1.0
    candidates: list[Candidate] = []
    context = {key: _context(store, key) for key, _ in top}
    for key, clause_score in top:
        clause = store.clause(*key)
        base = clause.body or clause.text
        for span in clause_spans(key, base, len(clause.text) - len(base)):
            score_span(span, groups, weights, intent, labels, query.linked.tiers, question, context[key])
            candidates.append(Candidate(span, span.score + CLAUSE_PRIOR * clause_score / best_clause))
    if intent.name in GRAPH_INTENTS:
        _graph_bonus(searcher, query, candidates)
    candidates.sort(key=lambda c: -c.total)
    focus: list[list[str]] = []
    if intent.numeric:
        focus = ([[t] for t in zh_focus(question, drop)] if query.language == "zh"
                 else en_focus(question, searcher.linker.lexicon))
    answering = [c for c in candidates if _same_tier(c.span, query.linked.tiers, intent)
                 and _answers(c.span, intent, focus, store.clause(*c.span.key).title)]
    if not answering and focus:  # a focus word may name the whole document (`…激励办法的有效期`)
        answering = [c for c in candidates if _same_tier(c.span, query.linked.tiers, intent)
                     and _answers(c.span, intent, focus, _context(store, c.span.key))]
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
    chosen = _choose(answering)
    if not intent.numeric:
        chosen = [_with_tied_sentences(c, candidates) for c in chosen]
    keys = list(dict.fromkeys([c.span.key for c in chosen] + [k for k, _ in top]))
    scores = dict(top)
    citations = [store.clause_ref(store.clause(*k), scores.get(k, 0.0), as_of) for k in keys[:5]]
    granted = _granted(searcher, query, chosen[0].span) if intent.name == "benefit" else []
    text = compose(store, query, intent, [c.span for c in chosen], granted)
    return {**base, "answer": text, "abstained": False, "citations": citations,
            "facts": facts_for(store, query, [c.span.key for c in chosen])}


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


def _place_tokens(query) -> list[str]:
    out = []
    for core in query.linked.places:
        out += [core, core + "区", core + "市", core + "县", core + "省"]
    return out


__all__ = ["answer"]
