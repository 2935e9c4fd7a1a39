"""Yes/no questions: a verdict only when the answering sentence states it for the act asked.

A sentence is cut into modal scopes: each modal word (不得, 禁止, 应当, 可以 …) governs the text up
to the next modal word (`不得扣押…证件，` | `不得要求…收取财物`). The scope that holds most of the
question's content decides: a prohibition answers No, a duty or a permission answers Yes to "may
…?", a duty answers Yes to "must …?", and a duty answers No to "may … not …?". When no scope holds
enough of the question, there is no verdict (the answer abstains and quotes the sentence).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NO = ("不得", "禁止", "严禁", "不能", "不予", "不准", "无权", "不可以", "不可", "不允许", "不应当", "不应", "不许")
MUST = ("应当", "必须", "应予")
MAY = ("可以", "有权", "允许", "准予", "支持", "鼓励")  # policy texts permit by supporting
_BARE_MAY = r"(?<![许认不宁无])可(?![以能见靠行观持续])"  # `可申请` (a bare 可 before a verb)
MODAL = re.compile("|".join(sorted(NO + MUST + MAY, key=len, reverse=True)) + "|" + _BARE_MAY)
MIN_SCOPE = 0.2  # share of the question's content weight the deciding scope must hold
MIN_SENTENCE = 0.75  # … and the whole sentence
EXCEPT = re.compile(r"除.{1,80}?(?:外|以外)")
_ASK_WORDS = {"能否", "是否", "可否", "能不能", "可不可以", "需要", "必须", "应该", "允许"}

_ASK_MUST_ZH = re.compile(r"必须|应当|应该|需要|需不需要|要不要|是否要|有义务")
_ASK_MUST_EN = re.compile(r"\b(must|have to|has to|need to|needs to|required|obliged|should)\b")
_ASK_NOT_ZH = re.compile(r"(可以|能|可|允许|能否|是否可以)不|不用|不必|无需|不需要")
_ASK_NOT_EN = re.compile(r"\b(not|n't|without)\b")


@dataclass
class Verdict:
    kind: str  # "no", "must", "may" or "" (no modal scope holds the act)
    word: str  # the modal word
    scope: str  # the text it governs
    coverage: float
    answer: str  # "yes", "no" or "" (no verdict)


def _kind(word: str) -> str:
    return "no" if word in NO else "must" if word in MUST else "may"


def scopes(sentence: str) -> list[tuple[str, str]]:
    """(modal word, governed text) in order."""
    marks = list(MODAL.finditer(sentence))
    out = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(sentence)
        out.append((m.group(0), sentence[m.start():end]))
    return out


def decide(sentence: str, question: str, groups: list[list[str]], idf, language: str, context: str = "") -> Verdict:
    """The verdict the sentence gives on the question (`groups`: the question's terms as groups of
    Chinese alternatives; `idf`: term → weight; `context`: the clause and document titles, whose
    words count for what the sentence is about but not for the act)."""
    from policykg.qa.focus import synonyms

    groups = [list(dict.fromkeys(g + [s for t in g for s in synonyms().get(t, ())])) for g in groups
              if g and not all(MODAL.fullmatch(t) or t in _ASK_WORDS for t in g)]
    weights = [max(idf(t) for t in g) for g in groups]
    total = sum(weights) or 1.0
    about = f"{sentence} {context}"
    whole = sum(w for g, w in zip(groups, weights) if any(t in about for t in g)) / total
    if whole < MIN_SENTENCE:  # the sentence is about something else (`不得强迫加班` for "pay overtime?")
        return Verdict("", "", "", 0.0, "")
    best: tuple[float, str, str] | None = None
    for word, scope in scopes(sentence):
        earned = sum(w for g, w in zip(groups, weights) if any(t in scope for t in g))
        cov = earned / total
        if best is None or cov > best[0] or (cov == best[0] and _kind(word) == "no"):
            best = (cov, word, scope)
    if best is None or best[0] < MIN_SCOPE:
        return Verdict("", best[1] if best else "", best[2] if best else "", best[0] if best else 0.0, "")
    cov, word, scope = best
    kind = _kind(word)
    lowered = question.lower()
    ask_must = bool(_ASK_MUST_ZH.search(question) if language == "zh" else _ASK_MUST_EN.search(lowered))
    ask_not = bool(_ASK_NOT_ZH.search(question) if language == "zh" else _ASK_NOT_EN.search(lowered))
    if ask_not:
        answer = "no" if kind == "must" else ""
    elif ask_must:
        answer = {"must": "yes", "no": "no"}.get(kind, "")
    else:
        answer = {"no": "no", "must": "yes", "may": "yes"}[kind]
    return Verdict(kind, word, scope, cov, answer)
