"""Answer extraction: score the sentences (spans) of candidate clauses against the question.

A span is a sentence of a clause (policykg.text's one splitter, so it is the very sentence the
graph's facts name: `end` is its end offset in the clause text). Its score is the IDF-weighted share of
the question's content terms it contains, plus a bonus when it holds what the intent asks for
(an amount, a percentage, an agency…), plus the share of linked concepts and tiers it names,
minus a penalty when the question's term only occurs inside a longer quoted name (the span is
about another, more specific thing: `“嘉定工匠终身成就奖”` for a question about `嘉定工匠`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from policykg.qa.intent import Intent
from policykg.search.text import tier_tokens, tokenize
from policykg.text import split_sentences

QUOTED = re.compile(r"[“\"「『]([^”\"」』]{2,30})[”\"」』]")
BONUS_PATTERN = 0.35
BONUS_CONCEPT = 0.3
PENALTY_OTHER_NAME = 0.25


@dataclass
class Span:
    key: tuple[str, int]
    index: int  # position in the clause
    text: str
    end: int = 0  # where the sentence ends in the clause's whole text (its identity with the graph's sentences)
    score: float = 0.0
    coverage: float = 0.0  # share of the question's content weight the span holds
    has_pattern: bool = False
    matched: list[str] = field(default_factory=list)


class TermWeights:
    """Document frequencies of terms over all sentences of the store (for IDF weights)."""

    def __init__(self, all_sentences: list[str]) -> None:
        self.sentences = all_sentences
        self._cache: dict[str, float] = {}
        self._df: dict[str, int] = {}

    def known(self, term: str) -> bool:
        """Does any sentence hold the term?"""
        return self.df(term) > 0

    def group_weight(self, group: list[str]) -> float:
        """A group of alternatives weighs as its first term (the question's own word) when the texts hold it,
        else as the rarest alternative they hold (`孩子` → 未成年人), else as its first term."""
        if self.known(group[0]):
            return self.idf(group[0])
        held = [self.idf(t) for t in group[1:] if self.known(t)]
        return max(held) if held else self.idf(group[0])

    def df(self, term: str) -> int:
        """How many sentences of the store hold the term."""
        if term not in self._df:
            self._df[term] = sum(1 for s in self.sentences if term in s)
        return self._df[term]

    def idf(self, term: str) -> float:
        if term not in self._cache:
            n = len(self.sentences) or 1
            df = self.df(term)
            self._cache[term] = math.log(1.0 + n / (1.0 + df)) if df else math.log(1.0 + n) * 0.6
        return self._cache[term]


def content_terms(question_tokens: list[str], drop: set[str]) -> list[str]:
    """The question's searchable terms, longest first, without terms inside a longer one."""
    terms = []
    for t in sorted(set(question_tokens), key=len, reverse=True):
        if any(t in d for d in drop) or len(t) < 2 and not t.endswith("类"):
            continue
        if any(t in longer for longer in terms):
            continue
        terms.append(t)
    return terms


def clause_spans(key: tuple[str, int], text: str, offset: int = 0) -> list[Span]:
    """The sentences of `text`, which starts at `offset` in the clause's whole text."""
    return [Span(key, s.index, s.text, end=offset + s.end) for s in split_sentences(text)]


def score_span(span: Span, groups: list[list[str]], weights: TermWeights, intent: Intent,
               concept_labels: list[list[str]], tiers: list[str], question: str, context: str = "",
               before: str = "") -> Span:
    """Score a span; `groups` are the question's terms as groups of alternatives (an English word
    and its Chinese equivalents), `context` the clause and document titles (words there count),
    `before` the sentence before it in its paragraph, which it may continue (`…造成经济损失的，…可从
    工资中扣除。但每月扣除的部分不得超过…２０％`): words only there count half."""
    text = span.text
    lowered = f"{text} {context}".lower()
    # a group weighs as its own word (or the rarest alternative the texts hold); a span holding any earns it
    group_weights = [weights.group_weight(g) for g in groups]
    total = sum(group_weights) or 1.0
    earned = 0.0
    for g, w in zip(groups, group_weights):
        if any(t in lowered for t in g):
            earned += w
        elif before and any(t in before for t in g):
            earned += 0.5 * w
    got = [t for g in groups for t in g if t in text.lower()]
    span.matched = got
    span.coverage = earned / total
    pattern = intent.pattern()
    span.has_pattern = bool(pattern.search(text)) if pattern is not None else False
    score = span.coverage
    if span.has_pattern:
        score += BONUS_PATTERN
    named_groups = concept_labels + [[t] for t in tiers]
    if named_groups:
        span_tiers = set(tier_tokens(text))
        named = sum(1 for g in named_groups if any((lab in span_tiers) if lab.endswith("类") and len(lab) <= 2
                                                   else (lab in text) for lab in g))
        score += BONUS_CONCEPT * named / len(named_groups)
    for name in QUOTED.findall(text):
        if name in question:
            continue
        if any(len(t) >= 2 and t in name for t in got) and not any(name in t for t in got):
            score -= PENALTY_OTHER_NAME
            break
    span.score = score
    return span


def zh_groups(question: str, terms: list[str], known=None, unheld: bool = True) -> list[list[str]]:
    """A Chinese question's terms as groups of alternatives a sentence may state them by: the legal
    synonyms (legal.toml `[synonyms]`: 交费 ~ 收费), the statute's terms for an everyday word the term
    holds or is part of (lay_lexicon.toml: 顾客 → 消费者, 商场 → 经营者, 怀孕 → 孕期), and the words of
    a compound no text states as written (`赡养父母` → 赡养 and 父母, each a term of its own: a
    sentence must hold both; `known(term)` tells whether the texts hold a term); `unheld`: an everyday
    word of the question no term holds gets a group of its own."""
    import jieba

    from policykg.qa.focus import synonyms
    from policykg.search.layperson import _lexicon

    lay = list({k.lower(): v for k, v in _lexicon().items() if k.lower() in question.lower()}.items())  # `App` ~ `app`
    statute = {w for v in _lexicon().values() for w in v}  # a statute's own word (用人单位) is not cut
    split = []
    for t in terms:
        parts = [w for w in jieba.lcut(t, HMM=False) if len(w) >= 2] if len(t) >= 4 and known is not None \
            and not known(t) else []
        inner = next((k for k, _ in lay if k in t and k != t and len(t) - len(k) >= 2
                      and (t.startswith(k) or t.endswith(k))), None) if t not in statute else None
        if inner and not (len(parts) >= 2 and sum(map(len, parts)) == len(t)):
            parts = [t.replace(inner, "", 1), inner]  # `赡养父母` → 赡养 and 父母 (→ its statute words)
        split += parts if len(parts) >= 2 and sum(map(len, parts)) == len(t) else [t]
    out = []
    for t in dict.fromkeys(split):
        group = [t, *synonyms().get(t, ())]
        for key, legal in lay:
            if key in t or (t in key and len(t) >= 2):
                group += legal
        out.append(list(dict.fromkeys(group)))
    for key, legal in lay if unheld else []:  # an everyday word no term holds (`卖给`: 卖 alone is too short)
        if len(key) >= 2 and not any(key in t or t in key for t in split):
            out.append(list(dict.fromkeys([key, *legal])))
    return out


def question_terms(question: str, extra: list[str]) -> list[str]:
    """Tokens of a question plus the Chinese terms linked from it."""
    tokens = tokenize(question)
    if extra:
        tokens += tokenize(" ".join(extra))
    return tokens
