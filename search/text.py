"""Text helpers shared by the indexes and question answering: tokens, tiers, figures (sentences,
numbers and amounts come from :mod:`policykg.text`).

Tokens are jieba's search-mode words (lower-cased, punctuation and stop words dropped), plus
normalised tier tokens: `C类领军人才`, `C-tier`, `tier C` all give `c类`; `一类人才`, `Class I`,
`first-tier` all give `一类`. Stop words live in `stopwords.txt` beside this module.
"""
from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
_LOCK = threading.Lock()
_READY = False

CJK = re.compile(r"[\u3400-\u9fff]")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
# Chinese tiers: A类 / C类领军人才 / 一类人才 / 第一类
ZH_TIER = re.compile(r"(?:第)?([A-Ea-e]|[一二三四五])\s*类")
_EN_ORD = {"1": "一", "2": "二", "3": "三", "4": "四", "5": "五", "i": "一", "ii": "二", "iii": "三",
           "iv": "四", "v": "五", "one": "一", "two": "二", "three": "三", "four": "四", "five": "五",
           "first": "一", "second": "二", "third": "三", "fourth": "四", "fifth": "五"}
_EN_KIND = r"(?:tier|class|category|type|grade|level)"
_EN_MARK = r"(?:[a-e]|[1-5]|iii|ii|iv|i|v|one|two|three|four|five)"
# "tier C", "class II", "C-tier", "first-tier"; a letter before the kind must be a capital
# ("C-tier"), so the article in "a tier C talent" is not read as tier A
EN_TIER = re.compile(
    rf"\b(?:(?i:{_EN_KIND})[\s-]*((?i:{_EN_MARK}))\b|([A-E]|[1-5]|III|II|IV|I|V)[\s-]*(?i:{_EN_KIND})\b|"
    rf"((?i:first|second|third|fourth|fifth))[\s-]*(?i:{_EN_KIND})\b)"
)
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def _init_jieba() -> None:
    global _READY
    if _READY:
        return
    with _LOCK:
        if _READY:
            return
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _READY = True


def add_words(words) -> None:
    """Teach the segmenter multi-character terms (entity labels) so they stay one token too."""
    _init_jieba()
    import jieba

    for word in words:
        word = word.strip()
        if len(word) >= 2 and CJK.search(word):
            jieba.add_word(word, freq=2000)
    _cached_cut.cache_clear()


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    lines = (HERE / "stopwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def tier_tokens(text: str) -> list[str]:
    """Normalised tier tokens (`c类`, `一类`) named in Chinese or English text."""
    out = [f"{m.group(1).lower()}类" for m in ZH_TIER.finditer(text)]
    for m in EN_TIER.finditer(text):
        mark = (m.group(1) or m.group(2) or m.group(3) or "").lower()
        mark = _EN_ORD.get(mark, mark)
        if mark in ("i", "v"):  # a bare roman numeral already mapped above
            mark = _EN_ORD[mark]
        out.append(f"{mark}类")
    return out


@lru_cache(maxsize=4096)
def _cached_cut(text: str) -> tuple[str, ...]:
    import jieba

    return tuple(jieba.lcut_for_search(text))


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """BM25 tokens of a text (Chinese words, English words, tier tokens)."""
    _init_jieba()
    stop = stopwords()
    tokens = []
    # a tier is one normalised token (c类), whatever follows it: `C类人才` and `C类领军人才` both
    # give c类 + the rest, so the wording of the category does not decide the match
    plain = EN_TIER.sub(" ", ZH_TIER.sub(" ", text))
    for tok in _cached_cut(plain):
        tok = tok.strip().lower()
        if not tok or _PUNCT.match(tok):
            continue
        if not keep_stopwords and tok in stop:
            continue
        tokens.append(tok)
    tokens.extend(tier_tokens(text))
    return tokens


def is_chinese(text: str) -> bool:
    """True when a question is written in Chinese (any CJK character in it counts)."""
    cjk = len(CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]{2,}", text))
    return cjk > 0 and cjk >= latin


def figures(text: str) -> set[str]:
    """Every number written in a text, normalised (commas dropped), for grounding checks."""
    return {n.replace(",", "") for n in NUMBER.findall(text)}
