"""The article map between two versions of a document (新旧对照表).

Every old article is compared with every new one: cosine of character-bigram TF-IDF vectors
(idf over both versions) blended with difflib's ratio. The map is built in three passes:

1. an order-preserving alignment (dynamic programming, like a weighted LCS: the pairs it takes
   keep their order in both versions and maximise the summed similarity above a floor);
2. moves and gaps: left-over articles that are each other's best left-over counterpart are paired,
   in order or not (1996 §30 → 2022 §56);
3. splits and merges, paragraph (款) by paragraph: a paragraph that its article's counterpart carries
   no better than an article no pair holds, and that is that article's paragraph's best source,
   makes the article part of the pair (1:n), and the reverse (n:1). Paragraph similarity blends the
   lexical one (bigrams and content words) with the sentence-embedding cosine, because a rewritten
   paragraph keeps its meaning better than its wording; without the model the lexical one is used and
   the diff says so in `warnings`.

Relations: `unchanged` (same number, same text), `changed` (same number, text differs),
`renumbered` (another number; `text_changed` says whether the wording changed too), `split`,
`merged`, `added`, `removed`. Each changed pair carries a character diff.
"""
from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from policykg.ingest.model import Clause, Document

ALIGN_FLOOR = 0.22  # least similarity for a pair the order-preserving pass takes
MUTUAL_FLOOR = 0.15  # least similarity for left-over articles that are each other's best match
PART_FLOOR = 0.4  # least paragraph similarity (lexical + embedding) of a split or merged part
PART_FLOOR_LEXICAL = 0.18  # the same without the sentence model
PART_SLACK = 0.05  # a part may score this much below the best paragraph of the article's own counterpart
PART_CANDIDATES = 3  # how far down a paragraph's ranking a part may be
_COMMON = frozenset("应当 可以 或者 按照 有关 规定 国家 本法 以及 其他 各级 依法 实施".split())
_ITEM_LINE = re.compile(r"^\s*(?:（[一二三四五六七八九十]+）|\d{1,2}[.、])")
_STRIP = re.compile(r"[\s，。；：、“”‘’（）《》,.;:()\"'!?！？]")


@dataclass
class Pair:
    """One row of the map: old articles → new articles with their relation."""

    relation: str
    old: list[Clause] = field(default_factory=list)
    new: list[Clause] = field(default_factory=list)
    similarity: float = 0.0
    text_changed: bool = False
    diff: list[tuple[str, str]] = field(default_factory=list)  # (equal|delete|insert, text)

    def to_dict(self) -> dict[str, Any]:
        return {
            "relation": self.relation,
            "old": [_ref(c) for c in self.old],
            "new": [_ref(c) for c in self.new],
            "similarity": round(self.similarity, 4),
            "text_changed": self.text_changed,
            "diff": [{"op": op, "text": text} for op, text in self.diff],
        }


@dataclass
class VersionDiff:
    old: Document
    new: Document
    pairs: list[Pair]
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return dict(Counter(p.relation for p in self.pairs))

    def mapping(self) -> dict[int, tuple[str, list[int]]]:
        """old article number → (relation, new article numbers); removed ones map to []."""
        out: dict[int, tuple[str, list[int]]] = {}
        for pair in self.pairs:
            for c in pair.old:
                out[c.number] = (pair.relation, [n.number for n in pair.new])
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"old": _doc(self.old), "new": _doc(self.new), "counts": self.counts(),
                "pairs": [p.to_dict() for p in self.pairs], "warnings": list(self.warnings)}


def _ref(clause: Clause) -> dict[str, Any]:
    return {"document": clause.document, "number": clause.number, "label": clause.label, "text": clause.text}


def _doc(document: Document) -> dict[str, Any]:
    meta = document.meta
    return {"id": meta.id, "title": meta.title, "date": meta.date, "status": meta.status,
            "clauses": len(document.clauses)}


def _plain(text: str) -> str:
    return _STRIP.sub("", text)


def _bigrams(text: str) -> Counter:
    return Counter(text[i:i + 2] for i in range(len(text) - 1)) or Counter([text])


def _words(text: str) -> Counter:
    """Content words (jieba), without the words every article of a law repeats."""
    return Counter(w for w in _cut(text) if len(w) > 1 and w not in _COMMON)


def _cut(text: str) -> list[str]:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba.lcut(text)


def tfidf(bags: list[Counter]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of bags of terms (idf over the bags given)."""
    df = Counter(t for bag in bags for t in bag)
    n = len(bags)
    out = []
    for bag in bags:
        vec = {t: (1 + math.log(c)) * math.log((n + 1) / (df[t] + 0.5)) for t, c in bag.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out.append({t: v / norm for t, v in vec.items()})
    return out


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


class Similarity:
    """Pairwise similarity of two lists of texts.

    Articles: bigram TF-IDF cosine blended with difflib's ratio. Paragraphs (`words=True`): bigram
    and content-word TF-IDF cosines averaged (a rewritten paragraph keeps its key words).
    """

    def __init__(self, old: list[str], new: list[str], words: bool = False) -> None:
        self.old = [_plain(t) for t in old]
        self.new = [_plain(t) for t in new]
        texts = self.old + self.new
        grams = tfidf([_bigrams(t) for t in texts])
        terms = tfidf([_words(t) for t in texts]) if words else None
        n = len(old)
        self.matrix = [[self._score(i, j, grams, terms, n) for j in range(len(new))] for i in range(n)]

    def _score(self, i: int, j: int, grams, terms, n: int) -> float:
        bigram = cosine(grams[i], grams[n + j])
        if terms is not None:
            return 0.5 * bigram + 0.5 * cosine(terms[i], terms[n + j])
        if bigram < 0.05:
            return bigram
        ratio = difflib.SequenceMatcher(None, self.old[i], self.new[j], autojunk=False).ratio()
        return 0.6 * bigram + 0.4 * ratio


def monotone_alignment(matrix: list[list[float]], floor: float) -> list[tuple[int, int]]:
    """The order-preserving pairs (i, j) maximising the summed similarity above `floor`."""
    n, m = len(matrix), len(matrix[0]) if matrix else 0
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    step = [[0] * (m + 1) for _ in range(n + 1)]  # 0 skip old, 1 skip new, 2 take the pair
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            options = [best[i - 1][j], best[i][j - 1]]
            gain = matrix[i - 1][j - 1] - floor
            options.append(best[i - 1][j - 1] + gain if gain > 0 else -1.0)
            k = max(range(3), key=lambda x: options[x])
            best[i][j], step[i][j] = options[k], k
    pairs, i, j = [], n, m
    while i > 0 and j > 0:
        if step[i][j] == 2:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif step[i][j] == 0:
            i -= 1
        else:
            j -= 1
    return pairs[::-1]


def char_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The character diff of two texts as (equal|delete|insert, text) runs."""
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", old[i1:i2]))
        else:
            if i2 > i1:
                out.append(("delete", old[i1:i2]))
            if j2 > j1:
                out.append(("insert", new[j1:j2]))
    return out


def diff_documents(old: Document, new: Document, embed: bool = True) -> VersionDiff:
    """The article map from `old` to `new` (see the module docstring); `embed=False` skips the model."""
    a, b = old.clauses, new.clauses
    sim = Similarity([c.text for c in a], [c.text for c in b])
    matrix = sim.matrix
    primary = dict(monotone_alignment(matrix, ALIGN_FLOOR))
    _mutual_best(matrix, primary)
    groups = {i: ({i}, {j}) for i, j in primary.items()}
    warning = _paragraph_parts(a, b, groups, embed)
    pairs = [_pair(a, b, olds, news, matrix) for olds, news in groups.values()]
    done_old = {c.number for p in pairs for c in p.old}
    done_new = {c.number for p in pairs for c in p.new}
    pairs += [Pair("removed", old=[c]) for c in a if c.number not in done_old]
    pairs += [Pair("added", new=[c]) for c in b if c.number not in done_new]
    pairs.sort(key=_order)
    return VersionDiff(old, new, pairs, [warning] if warning else [])


def _mutual_best(matrix: list[list[float]], primary: dict[int, int]) -> None:
    """Pair left-over articles that are each other's best left-over counterpart (moves included)."""
    while True:
        free_old = [i for i in range(len(matrix)) if i not in primary]
        taken = set(primary.values())
        free_new = [j for j in range(len(matrix[0]) if matrix else 0) if j not in taken]
        found = []
        for i in free_old:
            j = max(free_new, key=lambda x: matrix[i][x], default=None)
            if j is None or matrix[i][j] < MUTUAL_FLOOR:
                continue
            if max(free_old, key=lambda x: matrix[x][j]) == i:
                found.append((matrix[i][j], i, j))
        if not found:
            return
        _, i, j = max(found)
        primary[i] = j


def paragraphs(clause: Clause) -> list[str]:
    """A clause's paragraphs (款): its lines, items joined to the line they belong to."""
    out: list[str] = []
    for line in clause.text.split("\n"):
        if out and _ITEM_LINE.match(line):
            out[-1] += line
        elif line.strip():
            out.append(line)
    return out


def paragraph_similarity(old: list[str], new: list[str], embed: bool = True) -> tuple[np.ndarray, str]:
    """Paragraph × paragraph similarity and a warning ("" when the sentence model was used).

    Lexical (bigram and content-word TF-IDF) blended with the sentence-embedding cosine rescaled
    to 2·cos − 1 (cosines of Chinese legal paragraphs under m3e sit between 0.5 and 1): a rewritten
    paragraph keeps its meaning more than its wording.
    """
    lexical = np.array(Similarity(old, new, words=True).matrix)
    if not embed:
        return lexical, ""
    try:
        vectors = _embed(old + new)
    except Exception as exc:  # the model is optional here: the lexical map still stands
        return lexical, f"paragraph splits and merges found without the sentence model ({exc})"
    dense = vectors[: len(old)] @ vectors[len(old):].T
    return 0.5 * lexical + 0.5 * (2 * dense - 1), ""


def _embed(texts: list[str]) -> np.ndarray:
    from policykg.search.embed import get_embedder
    from policykg.settings import Settings

    vectors = np.asarray(get_embedder(Settings.from_env()["model"]).encode(texts), dtype=np.float32)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _paragraph_parts(a: list[Clause], b: list[Clause], groups: dict[int, tuple[set[int], set[int]]],
                     embed: bool) -> str:
    """Splits and merges from paragraphs (款) that went into another article; returns a warning.

    A paragraph of a paired old article that its own counterpart carries no better than a new
    article no pair holds, and that is that article's paragraph's best source, makes the article
    part of the pair (a split); the reverse makes a merge; left-over articles whose paragraphs are
    each other's best counterparts become a pair of their own.
    """
    pa = [(i, p) for i, c in enumerate(a) for p in paragraphs(c) if len(_plain(p)) >= 8]
    pb = [(j, q) for j, c in enumerate(b) for q in paragraphs(c) if len(_plain(q)) >= 8]
    if not pa or not pb:
        return ""
    m, warning = paragraph_similarity([p for _, p in pa], [q for _, q in pb], embed)
    floor = PART_FLOOR if not warning and embed else PART_FLOOR_LEXICAL
    best_old = m.argmax(axis=0)  # new paragraph → its best old paragraph
    best_new = m.argmax(axis=1)
    owner_old = {i: i for i in groups}
    owner_new = {j: key for key, (_, news) in groups.items() for j in news}

    def scan(x: int, candidates, side: str) -> None:
        """Attach the first free article among the candidates whose best counterpart is x."""
        if side == "new":
            key = owner_old[pa[x][0]]
            own = max((m[x, y] for y, (j, _) in enumerate(pb) if j in groups[key][1]), default=0.0)
        else:
            key = owner_new[pb[x][0]]
            own = max((m[k, x] for k, (i, _) in enumerate(pa) if i in groups[key][0]), default=0.0)
        for y in candidates:
            score = m[x, y] if side == "new" else m[y, x]
            article = pb[y][0] if side == "new" else pa[y][0]
            if article in groups[key][1 if side == "new" else 0]:
                continue
            if score < floor or score < own - PART_SLACK:
                return
            if side == "new" and article not in owner_new and best_old[y] == x:
                groups[key][1].add(article)
                owner_new[article] = key
                return
            if side == "old" and article not in owner_old and best_new[y] == x:
                groups[key][0].add(article)
                owner_old[article] = key
                return

    for x, (i, _) in enumerate(pa):
        if i in owner_old and len(groups[owner_old[i]][0]) == 1:
            scan(x, np.argsort(-m[x])[:PART_CANDIDATES], "new")
    for y, (j, _) in enumerate(pb):
        if j in owner_new and len(groups[owner_new[j]][1]) == 1:
            scan(y, np.argsort(-m[:, y])[:PART_CANDIDATES], "old")
    for x, y in enumerate(best_new):  # left-over articles whose paragraphs pair up
        i, j = pa[x][0], pb[y][0]
        if best_old[y] == x and m[x, y] >= floor and i not in owner_old and j not in owner_new:
            groups[i] = ({i}, {j})
            owner_old[i], owner_new[j] = i, i
    return warning


def _pair(a: list[Clause], b: list[Clause], olds: set[int], news: set[int], matrix) -> Pair:
    olds, news = sorted(olds), sorted(news)
    old = [a[i] for i in olds]
    new = [b[j] for j in news]
    old_text = "\n".join(c.text for c in old)
    new_text = "\n".join(c.text for c in new)
    changed = _plain(old_text) != _plain(new_text)
    similarity = max(matrix[i][j] for i in olds for j in news)
    if len(old) > 1 or len(new) > 1:
        relation = "split" if len(new) > len(old) else "merged"
    elif old[0].number != new[0].number:
        relation = "renumbered"
    else:
        relation = "changed" if changed else "unchanged"
    return Pair(relation, old, new, similarity, changed, char_diff(old_text, new_text) if changed else [])


def _order(pair: Pair) -> tuple[int, int]:
    if pair.new:
        return (pair.new[0].number, pair.old[0].number if pair.old else 0)
    # a removed article sits after the new article its predecessor maps to
    return (10**6, pair.old[0].number)
