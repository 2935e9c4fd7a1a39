"""Text similarity for alignment: character-bigram TF-IDF, sentence splitting, embeddings.

Chinese policy texts that implement one another reuse whole phrases, so weighted character
bigrams find counterparts well; the sentence embedding (m3e-small by default) adds the
paraphrases. Everything here is pure and cheap except :func:`clause_vectors`, which loads
the embedding model once, lazily.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Iterable

import numpy as np

from policykg.ingest.model import Clause
from policykg.text import END_MARKS, split_sentences

NON_TEXT = re.compile(r"[^\u4e00-\u9fff0-9A-Za-z%]")
# very common policy words: they say nothing about which clause corresponds to which
GENERIC = set("高技能人才 技能人才 人才队伍 队伍建设 加强 推动 推进 完善 健全 建立 开展 实施 积极 进一步".split())


def grams(text: str) -> Counter:
    """Character bigrams of the Chinese (and alphanumeric) text."""
    t = NON_TEXT.sub("", text or "")
    return Counter(t[i:i + 2] for i in range(len(t) - 1))


def sentences(text: str, min_chars: int = 6) -> list[str]:
    """Sentences of a text (split on 。；！？), dropping fragments shorter than `min_chars`."""
    out = (s.text.rstrip(END_MARKS).strip() for s in split_sentences(text or ""))
    return [s.strip("，, ") for s in out if len(NON_TEXT.sub("", s)) >= min_chars]


class TfIdf:
    """Bigram TF-IDF vectors with document frequencies taken from a set of texts."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.df: Counter = Counter()
        self.n = 0
        for text in texts:
            self.df.update(set(grams(text)))
            self.n += 1

    def vector(self, text: str) -> dict[str, float]:
        counts = grams(text)
        vec = {g: (1 + math.log(c)) * math.log(1 + (self.n + 1) / (self.df.get(g, 0) + 1)) for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {g: v / norm for g, v in vec.items()}

    @staticmethod
    def cosine(a: dict[str, float], b: dict[str, float]) -> float:
        if len(a) > len(b):
            a, b = b, a
        return sum(v * b.get(g, 0.0) for g, v in a.items())


def dice(a: str, b: str) -> float:
    """Dice coefficient of the character-bigram sets of two texts."""
    x, y = set(grams(a)), set(grams(b))
    return 2 * len(x & y) / (len(x) + len(y)) if x and y else 0.0


def overlap(a: str, b: str) -> float:
    """Share of the shorter text's bigrams found in the other (containment)."""
    x, y = set(grams(a)), set(grams(b))
    return len(x & y) / min(len(x), len(y)) if x and y else 0.0


def clause_vectors(clauses: list[Clause], model: str, known: dict | None = None) -> dict[tuple[str, int], np.ndarray]:
    """Normalised embeddings of clause texts; reuses `known` vectors (doc, number) → vector."""
    known = known or {}
    out = {c.key: np.asarray(known[c.key], dtype=np.float32) for c in clauses if c.key in known}
    missing = [c for c in clauses if c.key not in out]
    if missing:
        from policykg.search.embed import get_embedder
        from policykg.search.index import clause_text

        # the text the index embeds (section title, then clause): a store without the index's
        # vectors (a law library's) aligns as one with them
        vectors = get_embedder(model).encode([clause_text(c) for c in missing])
        out.update({c.key: v for c, v in zip(missing, vectors)})
    return out
