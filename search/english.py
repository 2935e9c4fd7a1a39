"""English questions → Chinese legal terms (no translation service).

An English question is cut into the longest phrases the vocabularies know, phrase-level first
(`paid suspension period` → 停工留薪期 before `paid` or `period` alone), then single words. Each
phrase or word brings every Chinese term its English forms name, in `lexicon.toml` [en] and in
`legal.toml` reversed (its labels), for the word as written and for its stems (`hiring` → hiring,
hire: 招用, 用工, 录用) — several candidates, not one. `weigh` then orders each word's candidates
by the corpus: a term that occurs in clauses together with the question's other terms comes
first, a term the corpus never uses last (it still counts as an alternative when reading an
answer, but is not searched with).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_SUFFIXES = (("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
             ("'s", ""), ("ly", ""))
FUNCTION_WORDS = {"a", "an", "the", "of", "for", "to", "in", "on", "at", "by", "with", "from", "up", "out", "off",
                  "into", "as", "my", "your", "his", "her", "their", "its", "our", "be", "is", "are", "and", "or"}
SEARCHED = 3  # candidates of a word searched with (BM25 / dense expansion)


def forms(word: str) -> list[str]:
    """A word or phrase as written, then its stems (`hiring` → hire; `contributions` → contribution;
    a phrase by its first and last words: `carried out` → carry out)."""
    parts = word.split(" ")
    firsts = _stems(parts[0])
    if len(parts) == 1:
        return firsts
    lasts = _stems(parts[-1]) if len(parts) > 1 else [""]
    middle = " ".join(parts[1:-1])
    out = [" ".join(x for x in (f, middle, last) if x) for f in firsts for last in lasts]
    return list(dict.fromkeys(out))


def _stems(word: str) -> list[str]:
    out = [word]
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            out.append(word[: -len(suffix)] + repl)
    if word.endswith("ied") and len(word) > 5:  # carried → carry
        out.append(word[:-3] + "y")
    return list(dict.fromkeys(out))


def lookup(words: dict[str, list[str]], phrase: str) -> list[str]:
    """Every Chinese term of a phrase's forms, the exact form's first."""
    out: list[str] = []
    for form in forms(phrase):
        out += words.get(form, [])
    return list(dict.fromkeys(out))


@dataclass
class Piece:
    """A phrase or word of an English question and its Chinese candidates (best first)."""

    surface: str
    start: int  # word positions in the question
    end: int
    candidates: list[str]


def words_of(text: str) -> list[str]:
    """The question's words, lower-case, hyphens and slashes as spaces, apostrophes kept (`worker's`)."""
    text = re.sub(r"[’`]", "'", text.lower())
    text = re.sub(r"[-_/]+", " ", text)
    return [w.strip("'") for w in re.findall(r"[a-z0-9][a-z0-9']*", text) if w.strip("'")]


def segment(words: list[str], known: dict[str, list[str]], max_len: int, held=None) -> list[Piece]:
    """The longest known phrases, left to right (a word no phrase covers is skipped); `held(term)`:
    does the corpus hold the term — a phrase none of whose terms the corpus holds is read word by
    word instead (`renting a home` → 房屋租赁 where the texts say 租房)."""
    out: list[Piece] = []
    i = 0
    while i < len(words):
        for n in range(min(max_len, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + n])
            zh = lookup(known, phrase)
            content = [w for w in words[i:i + n] if w not in FUNCTION_WORDS]
            if zh and n > 1 and len(content) == 1:  # `apply for`: the word's own terms too (申请)
                zh = list(dict.fromkeys(zh + lookup(known, content[0])))
            if zh and n > 1 and held is not None and not any(held(z) for z in zh):
                continue
            if zh:
                out.append(Piece(phrase, i, i + n, zh))
                i += n
                break
        else:
            i += 1
    return out


def weigh(groups: list[list[str]], rows) -> list[list[str]]:
    """Each group's candidates ordered by the corpus: `rows(term)` → a boolean array over clauses
    (which clauses hold the term). A candidate ranks by how many clauses hold it together with a
    candidate of another group, then by how many hold it at all; candidates no clause holds go last."""
    import numpy as np

    hits = [[rows(t) for t in g] for g in groups]
    anyof = [np.logical_or.reduce(h) if h else None for h in hits]
    out: list[list[str]] = []
    for gi, g in enumerate(groups):
        others = [a for j, a in enumerate(anyof) if j != gi and a is not None and a.any()]
        keyed = []
        for order, (term, hit) in enumerate(zip(g, hits[gi])):
            df = int(hit.sum())
            together = sum(int((hit & a).sum()) for a in others)
            keyed.append(((df > 0, together, min(df, 50), -order), term))
        out.append([t for _, t in sorted(keyed, key=lambda kv: kv[0], reverse=True)])
    return out


def searched(group: list[str], rows) -> list[str]:
    """The candidates of a weighed group to search with: those the corpus holds, at most SEARCHED."""
    held = [t for t in group if rows(t).any()]
    return (held or group)[:SEARCHED]
