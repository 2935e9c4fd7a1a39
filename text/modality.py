"""The one modality table: the words that oblige, forbid, encourage or permit, with their labels.

Each modality has a name (the value `pol:modality` takes in the graph), a kind (obligation,
prohibition, encouragement, permission), labels in Chinese and English, and the words a drafter
writes for it. ``plain`` is a declarative statement of a duty (建立…制度) with no modal word.
:func:`modal_markers` finds the modal words of a text, skipping words that only look modal
(重要, 相应, 可持续, 不可能 …).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

OBLIGATION, PROHIBITION, ENCOURAGEMENT, PERMISSION = "obligation", "prohibition", "encouragement", "permission"
MUST, SHOULD, PLAIN, PROHIBIT, ENCOURAGE, SUPPORT, MAY = (
    "must", "should", "plain", "prohibit", "encourage", "support", "may")


@dataclass(frozen=True)
class Modality:
    name: str  # the value of pol:modality
    kind: str  # obligation, prohibition, encouragement or permission
    zh: str  # how a drafter names it
    en: str
    words: tuple[str, ...]  # the modal words that express it (none for plain)


TABLE: dict[str, Modality] = {m.name: m for m in (
    Modality(MUST, OBLIGATION, "要/必须", "must", ("必须", "务必", "要", "须")),
    Modality(SHOULD, OBLIGATION, "应/应当", "should", ("应当", "应")),
    Modality(PLAIN, OBLIGATION, "（陈述性规定）", "plain statement", ()),
    Modality(PROHIBIT, PROHIBITION, "不得/禁止", "must not", ("不得", "禁止", "严禁", "不准", "不允许")),
    Modality(ENCOURAGE, ENCOURAGEMENT, "鼓励/引导", "encouraged", ("鼓励", "倡导", "引导")),
    Modality(SUPPORT, ENCOURAGEMENT, "支持", "supported", ("支持",)),
    Modality(MAY, PERMISSION, "可/可以", "may", ("允许", "可以", "可")),
)}
MODALITIES = tuple(TABLE)
#: modalities that oblige (or forbid); the others only encourage or permit (CONTRACT.md section 3)
STRONG = frozenset({MUST, SHOULD, PLAIN, PROHIBIT})
WEAK = frozenset({ENCOURAGE, SUPPORT, MAY})
#: strong modalities written with a modal word
EXPLICIT_STRONG = frozenset({MUST, SHOULD, PROHIBIT})
#: the Chinese word(s) a drafter reads for each modality
WORDS = {m.name: m.zh for m in TABLE.values()}

#: every modal word with its modality, longest first (a longer word wins an overlap: 不允许 over 允许)
MARKERS: list[tuple[str, str]] = sorted(((w, m.name) for m in TABLE.values() for w in m.words),
                                        key=lambda x: -len(x[0]))
#: words that contain a modal word but are not modal
NOT_MODAL = re.compile(
    r"要求|重要|主要|需要|要素|要点|纪要|必要|首要|要件|要事|要务|要害|摘要|概要|扼要|要领|要冲|只要|"
    r"应用|相应|适应|应届|供应|响应|反应|对应|效应|应急|应聘|应缴|应对|应收|应付|应征|顺应|呼应|照应|应有|理应|"
    r"可持续|认可|许可|可靠|可能|可行|可观|可控|可及|可视|可信|宁可|不可|可比|可再生|可得|"
    r"须知|必须品|无须|支持者|鼓励奖|引导区"
)
MODAL_WORDS = re.compile("|".join(re.escape(w) for w, _ in MARKERS))


def modal_markers(text: str) -> list[tuple[int, str, str]]:
    """The modal words of `text`: (offset, word, modality) in text order, look-alike words excluded."""
    blocked = [range(m.start(), m.end()) for m in NOT_MODAL.finditer(text)]
    found: list[tuple[int, str, str]] = []
    used: set[int] = set()
    for word, modality in MARKERS:
        for m in re.finditer(word, text):
            span = set(range(m.start(), m.end()))
            if span & used or any(m.start() in r for r in blocked):
                continue
            used |= span
            found.append((m.start(), word, modality))
    return sorted(found)


def kind_of(modality: str) -> str:
    """obligation, prohibition, encouragement or permission."""
    return TABLE[modality].kind


def label(modality: str, lang: str = "zh") -> str:
    m = TABLE.get(modality)
    if m is None:
        return modality
    return m.zh if lang == "zh" else m.en


def strip_modal_words(text: str) -> str:
    """`text` without its modal words (to compare what two sentences require, whatever their modality)."""
    return MODAL_WORDS.sub("", text)
