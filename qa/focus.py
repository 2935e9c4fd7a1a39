"""The focus of a figure question: the words naming what the figure is asked about.

`嘉定区对高技能人才的购房补贴是多少钱？` asks for the amount of a `购房补贴`: a sentence that
gives an amount for something else (`1万元奖励`) does not answer it, however much else of the
question it shares. The focus is the one or two content words next to the quantity cue: to its
right when the cue is followed by what is counted (`新增多少高技能人才`), else to its left
(`购房补贴是多少钱`). In English, the content words after the cue (`how much living subsidy`),
through the lexicon. A sentence answers a figure question only when it names every focus word
(or all its characters, so `购房` is found in `购买首套住房`); the clause title and the document
title count too (`若干措施的有效期`).
"""
from __future__ import annotations

import re
from functools import lru_cache

from policykg.search.english import FUNCTION_WORDS
from policykg.search.text import CJK, stopwords

ZH_CUE = re.compile(r"多大(?:年纪|年龄|岁数)?|(?:是)?(?:多少|几)(?:钱|元|万元|万|名|家|个|人|项|年|个月|天|周岁|岁)?|比例|占比|百分之几|金额|多久|多长时间|期限|有效期")
EN_CUE = re.compile(r"\b(how much|how many|what percentage|what proportion|what share|what ratio|how long)\b")
_COUNT_START = re.compile(r"^(?:是)?(?:多少|几)(?!.*(?:钱|元)$)")
_CUE_WORDS = {"比例", "占比", "多少", "金额", "标准", "期限", "有效期", "达到", "多久", "钱", "元", "万元", "是",
              "最长", "最短", "最多", "最少", "最高", "最低", "不能", "超过", "不得",
              "小时", "个月", "天", "周", "年", "多长", "至少", "以下", "以上", "以内", "之内", "应当", "可以", "需要",
              "必须", "最多能", "最少要", "规定", "法律", "多少岁", "几岁", "多大", "年纪", "年龄", "岁数", "指多大", "是指"}
_STOP_PUNCT = re.compile(r"[，,。？?！!；;：:、]")


def zh_focus(question: str, drop: set[str]) -> list[str]:
    import jieba

    m = ZH_CUE.search(question)
    if not m:
        return []
    stop = stopwords()
    tokens, pos = [], 0
    for tok in jieba.lcut(question):
        tokens.append((pos, pos + len(tok), tok))
        pos += len(tok)

    def content(tok: str) -> bool:
        return (len(tok) >= 2 and CJK.search(tok) is not None and tok not in stop and tok not in drop
                and tok not in _CUE_WORDS and not tok.endswith("类")
                and not all(ch in stop for ch in tok)  # `中要`: stop characters glued together
                and not (len(tok) == 2 and tok[0] in "要会能可应需得该"))  # `要发`: an auxiliary and a verb

    right = []
    if _COUNT_START.match(m.group(0)):
        for start, _, tok in tokens:
            if start < m.end():
                continue
            if _STOP_PUNCT.match(tok):
                break
            if content(tok):
                right.append(tok)
    if right:
        return right[:2]
    left = []
    for _, end, tok in reversed(tokens):
        if end > m.start():
            continue
        if _STOP_PUNCT.match(tok):
            break
        if content(tok):
            left.append(tok)
        if len(left) == 2:
            break
    return left


def en_focus(question: str, lexicon) -> list[list[str]]:
    """Groups of Chinese alternatives for the content words after an English quantity cue."""
    lowered = question.lower()
    m = EN_CUE.search(lowered)
    if not m:
        return []
    words = re.findall(r"[a-z][a-z-]*", lowered[m.end():])
    from policykg.qa.intent import _config

    words_cfg = _config().get("question", {})
    skip = set(words_cfg.get("en_focus_skip", [])) | set(words_cfg.get("en_ignore", []))
    stop = stopwords() | skip | {"is", "are", "the", "a", "an", "does", "do", "of", "for", "paid", "given", "granted"}
    groups: list[list[str]] = []
    i = 0
    while i < len(words) and len(groups) < 2:
        if words[i] in ("in", "to", "by", "can", "will", "must", "should", "under", "per", "at"):
            if groups:
                break
            i += 1
            continue
        phrase = next((n for n in (4, 3, 2) if i + n <= len(words)  # a known phrase of content words first
                       and any(w not in stop and w not in FUNCTION_WORDS for w in words[i:i + n])  # (`gives birth`)
                       and any(len(z) >= 2 for z in lexicon.lookup(" ".join(words[i:i + n])) or ())), 0)
        if words[i] in stop and not phrase:
            i += 1
            continue
        for n in ((phrase,) if phrase else (3, 2, 1)):
            phrase = " ".join(words[i:i + n])
            zh = lexicon.lookup(phrase)
            if zh and any(len(z) >= 2 for z in zh):
                groups.append([z for z in zh if len(z) >= 2])
                i += n
                break
        else:
            i += 1
    return groups


def present(term: str, text: str) -> bool:
    """A focus word is in a text as written, or all its characters are (`购房` ⊂ `购买住房`), or a
    near-synonym is (`奖金` ~ `奖励`, from the lexicon's [synonyms])."""
    if term in text or all(ch in text for ch in term):
        return True
    return any(other in text for other in synonyms().get(term, ()))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    import tomllib

    from policykg.search.linking import HERE as SEARCH_DIR

    out: dict[str, tuple[str, ...]] = {}
    for name in ("lexicon.toml", "legal.toml"):
        data = tomllib.loads((SEARCH_DIR / name).read_text(encoding="utf-8"))
        for group in data.get("synonyms", {}).get("groups", []):
            for word in group:
                out[word] = tuple(dict.fromkeys(out.get(word, ()) + tuple(w for w in group if w != word)))
    return out
