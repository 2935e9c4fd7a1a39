"""Obligations in clause text: who must, should, is encouraged to or may do what.

A clause is cut into obligation units: sentences (split on 。；！？) and, inside a sentence,
at a comma where a new duty with its own modal word begins (`企业可设立技能津贴…，支持鼓励高技能
人才…`). Each unit gets

- a modality from the table in :mod:`policykg.text.modality`: ``must`` (要, 必须, 须, 务必), ``should``
  (应, 应当), ``prohibit`` (不得, 禁止), ``encourage`` (鼓励, 引导, 倡导), ``support`` (支持), ``may``
  (可, 可以, 允许), or ``plain`` (a declarative statement of a duty:
  `建立高技能人才休假疗养制度`);
- the party (主体) it binds: the subject before the modal word (`行业主管部门`, `国有企业`) or,
  for 鼓励/支持/引导, the party encouraged (`鼓励各类企业…` → `各类企业`);
- the action: the rest of the unit.

`STRONG` modalities oblige, `WEAK` ones only encourage or permit (CONTRACT.md section 3; the table is
policykg.text.modality).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# the modalities, their words and labels are the one table in policykg.text.modality
from policykg.text.modality import ENCOURAGE, PLAIN, STRONG, SUPPORT, modal_markers
from policykg.text.sentences import split_sentences

PARTY_SUFFIX = (
    r"(?:部门|政府|党委|企业|单位|院校|学校|机构|组织|街镇|街道|乡镇|地区|各地|社区|工会|协会|学会|"
    r"委员会|局|厅|中心|基地|个人|职工|人员|人才|劳动者|学生|毕业生|选手|教师|行业|领导小组)"
)
PARTY_RE = re.compile(
    rf"(?:各类|各级|各|有关|相关|有条件的|符合条件的|具备条件的|本区|本市|全市)?[\u4e00-\u9fff、和及与]{{0,16}}?{PARTY_SUFFIX}"
)
# words that show the text before a modal marker is not a subject (the marker sits inside a phrase)
NOT_SUBJECT = re.compile(r"[的以为与于把将对从在按经由]|通过|结合|围绕|依托|根据|按照|坚持|加强|推动|完善|建立|健全")
MAX_SUBJECT = 18
VERB_START = re.compile(
    r"^(?:落实|推进|推动|积极|注重|进一步|加强|加大|建立|健全|完善|探索|实施|开展|构建|创新|优化|提高|提升|发挥|深化|"
    r"强化|加快|组织|选拔|依托|扩大|聚焦|改善|做好|打造|培养|开发|举办|定期|广泛|大力|切实|充分|畅通|实行|推行|推广|"
    r"鼓励|支持|引导|允许|按照|按|对|将|把|以|在|为|由|经|从|给予|确保|保障|坚持|围绕|结合|完成|形成|营造|提供|设立|"
    r"选树|新增|建设|培育|认定|评选|表彰|奖励)"
)


@dataclass
class Obligation:
    """One obligation unit of a clause."""

    sentence: str
    modality: str
    party: str
    action: str
    marker: str = ""  # the modal word as written ("" for plain)
    start: int = 0  # offset of the unit in the clause text

    @property
    def strong(self) -> bool:
        return self.modality in STRONG

    def to_dict(self) -> dict:
        return {"sentence": self.sentence, "modality": self.modality, "party": self.party,
                "action": self.action, "marker": self.marker}


def head_modality(segment: str) -> tuple[int, str, str] | None:
    """The modal word that governs a segment: at its start or right after its subject."""
    for offset, word, modality in modal_markers(segment):
        prefix = segment[:offset]
        if offset == 0:
            return offset, word, modality
        if offset > MAX_SUBJECT:
            return None
        if NOT_SUBJECT.search(prefix) and not (PARTY_RE.match(prefix) and not VERB_START.match(prefix)):
            return None
        if modality in (ENCOURAGE, SUPPORT) and not PARTY_RE.fullmatch(prefix):
            return None
        return offset, word, modality
    return None


PREP_START = re.compile(r"^(?:对|将|把|以|在|为|由|经|从|按照|按|围绕|结合|根据|依托|针对|通过|凡)")


VERBISH = re.compile(r"[将把对在以为按从由向经到，。；：“”]|兼任|参加|实行|建设|关心|结合|开展|做好|通过|围绕|依托|建立|参与|发挥|提供|实施|自主|加强|推进|"
                     r"推动|开发|设立|申请|享受|加大|落实|根据|依法|积极|进一步")


def is_party(text: str) -> bool:
    """Whether a text names an actor (ends like 部门, 政府, 企业, 院校, 各地 …)."""
    return bool(text) and bool(re.search(PARTY_SUFFIX + "$", text))


def _match_party(text: str) -> str:
    """The longest party a text starts with (`行业主管部门和行业组织结合…` → `行业主管部门和行业组织`), or ""."""
    best = ""
    for m in re.finditer(PARTY_SUFFIX, text[:MAX_SUBJECT + 2]):
        candidate = text[:m.end()]
        if VERBISH.search(candidate, 1):
            break
        best = candidate
    return best


def unit_head(unit: str) -> tuple[int, str, str] | None:
    """The governing modal word of a unit, also after leading adverbials
    (`对成效显著的企业，区政府可予以表扬` → 可, offset in the unit)."""
    head = head_modality(unit)
    if head is not None:
        return head
    for m in re.finditer(r"[，,]", unit):
        rest = unit[m.end():]
        if not PREP_START.match(unit) and VERB_START.match(unit):
            return None  # a duty of its own comes first: its modality is plain
        head = head_modality(rest)
        if head is not None:
            return head[0] + m.end(), head[1], head[2]
    return None


def _party(unit: str, head: tuple[int, str, str] | None) -> str:
    if head is not None:
        offset, word, modality = head
        subject = re.split(r"[，,]", unit[:offset])[-1].strip("、 ")
        if subject:
            party = _match_party(subject)
            rest = subject[len(party):]
            return party if party and (not rest or re.match(r"[在对按向从经由于]|切实", rest)) else subject
        if modality in (ENCOURAGE, SUPPORT):
            rest = re.sub(r"^(?:鼓励|支持|引导|和|并|、)+", "", unit[offset + len(word):])
            return "" if VERB_START.match(rest) else _match_party(rest)
        return ""
    if VERB_START.match(unit):
        return ""
    party = _match_party(unit)
    return party if len(party) <= MAX_SUBJECT else ""


def split_units(text: str) -> list[tuple[int, str]]:
    """Obligation units of a text: (offset, unit), split on 。；！？ and on a comma before a new modal head."""
    units: list[tuple[int, str]] = []
    for sm in split_sentences(text or ""):
        sentence = sm.text
        pieces = [(m.start(), m.group()) for m in re.finditer(r"[^，,]+[，,]?", sentence)]
        current_start, current = pieces[0] if pieces else (0, sentence)
        has_head = head_modality(current) is not None
        for offset, piece in pieces[1:]:
            complete = has_head or (VERB_START.match(current) and not PREP_START.match(current))
            if head_modality(piece) is not None and complete:
                units.append((sm.start + current_start, current))
                current_start, current, has_head = offset, piece, True
            else:
                current += piece
        units.append((sm.start + current_start, current))
    return [(o, u.strip()) for o, u in units if u.strip("，,。；;！？!? ")]


def find_obligations(text: str) -> list[Obligation]:
    """The obligation units of a clause's text with their modality, party and action."""
    result: list[Obligation] = []
    for offset, unit in split_units(text):
        head = unit_head(unit)
        if head is None:
            modality, marker, action = PLAIN, "", unit
        else:
            modality, marker = head[2], head[1]
            action = unit[head[0] + len(head[1]):]
        result.append(Obligation(sentence=unit, modality=modality, party=_party(unit, head),
                                 action=action.strip("，,。；; "), marker=marker, start=offset))
    return result
