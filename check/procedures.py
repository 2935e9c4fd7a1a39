"""Approvals and filings the higher-level law does not require (增设审批、备案), and penalties for them.

A document that makes citizens or enterprises obtain an approval (批准, 审批, 核准, 许可) or file or
register something (备案, 登记) adds a duty when the parent, speaking of the same thing, requires no
such procedure of them: an old regulation keeping a filing that a rewritten law replaced
(企业标准…备案 where the law now asks for self-declared publication), or an approval the law
never had. Both are ``added_restriction``; a penalty the document sets for skipping such a
procedure (`未…备案的`) is a ``penalty_conflict``.

- Who bears the procedure: the words before it must not name a government body (`行业标准由
  国务院有关行政主管部门制定，报…备案` is one authority reporting to another).
- Same thing: the sentence without its procedure and authority words shares `SPEAKS` of its
  character trigrams with a parent sentence; where no parent sentence does, the parent does not
  speak of it and nothing is reported (a document may regulate what its parent leaves open).
- Required by the parent: such a sentence asks a procedure as strong (an approval covers a
  filing, not the reverse) of someone not a government body, or names a thing so approved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.ingest.model import Clause, Document

from .duty import ROLES
from .similarity import NON_TEXT, dice, grams

APPROVAL = ("批准", "审批", "核准", "审查同意", "许可", "准予", "准许")
FILING = ("备案", "登记")
_WORD = "|".join(APPROVAL + FILING)
# the procedure asked of someone: 报…批准, 向…备案, 经…批准, 按…规定备案, 报批
REQUIRED = re.compile(
    rf"(?:报(?![告纸酬名表道刊])请?|报送|向|经(?![营济过常费历验办手理销纪]))([^，。；]{{0,40}}?)({_WORD}|同意)"
    rf"|(?:按照?|依照)[^，。；]{{0,40}}?规定({_WORD})|(报批)")
REGULATION = re.compile(r"(?:按照?|依照|根据)[^，。；]{0,40}?规定")
# government bodies, and the public institutions that act for them (档案馆, 博物馆 …)
GOVERNMENT = re.compile(ROLES["government"].pattern.rstrip("$") + r"|人民政府|(?:档案|博物|图书|纪念|文化|美术|科技)馆")
AUTHORITY_ACT = re.compile(r"罚款|处罚|吊销|责令|行政处分|征收|征用")
SUBJECTLESS = re.compile(r"^\s*(?:必要时|并且?|同时|还|(?:应当|必须|须))")
SENTENCE = re.compile(r"[^。；\n]+[。；]?")
SPEAKS = 0.2  # share of a sentence's trigrams found in a parent sentence that speaks of the same thing
NEAR = 0.6  # of the best such share: the parent sentences on the same thing (not just the same place)
LINKED = 0.2  # share of a penalised act's bigrams in the sentence of the procedure it skips
DENY = re.compile(r"未|不|没有|擅自")


@dataclass
class Procedure:
    clause: Clause
    sentence: str
    word: str  # 批准, 备案, …
    topic: str  # the words before the duty (`依法申请开垦荒坡地的`)
    whole: str  # the sentence without the procedure, the authority and any parenthesis


def _strength(word: str) -> int:
    return 2 if word in APPROVAL or word in ("报批", "同意") else 1


def _asked(m: re.Match) -> str:
    """The procedure a REQUIRED match asks for, or "" when it is none: `经…同意` is an approval
    only when a government body consents (`经发包方同意` is a private party's)."""
    word = m.group(2) or m.group(3) or m.group(4)
    if word == "同意" and not GOVERNMENT.search(m.group(1) or ""):
        return ""
    return word


# list headings say nothing of the thing (`但是有下列情形之一的` vs `…工具有下列情形之一的`)
HEADING = re.compile(r"(?:但是)?(?:有|具有)?(?:下列|以下)(?:情形|行为|条件|情况)?之一的?")


def _bare(text: str) -> str:
    return HEADING.sub("", re.sub(r"[（(][^）)]*[）)]", "", REGULATION.sub("", text)))


def _bearer_is_government(sentence: str, at: int) -> bool:
    """The words before a procedure name a government body as the one who goes through it, or an
    act only an authority does (`决定处一万元以上罚款的，须报…批准`)."""
    before = _bare(sentence[:at])
    return bool(GOVERNMENT.search(before) or AUTHORITY_ACT.search(before))


def procedures(clause: Clause) -> list[Procedure]:
    """The procedures `clause` asks of citizens or enterprises (not of a government body)."""
    out = []
    previous = ""
    for sentence in SENTENCE.findall(clause.text):
        # a sentence without a subject of its own (`…，由档案馆公布；必要时，应当征得…同意`) has
        # the previous one's
        context = previous if SUBJECTLESS.match(sentence) else ""
        previous = sentence if not sentence.endswith("。") else ""
        for m in REQUIRED.finditer(sentence):
            word = _asked(m)
            if not word or _bearer_is_government(context + sentence, len(context) + m.start()):
                continue  # an authority's own procedure (报上级批准), not a duty on citizens
            if re.match(r"(?:后[，,]?|[，,])[^，。；向对与给报经由并及和]{0,20}?(?:政府|部门|机关)", sentence[m.end():]) or "国务院" in (m.group(1) or ""):
                continue  # `经依法批准后，县级以上地方人民政府应当…`, `经本级人民政府批准，审计机关对…`,
                # `报国务院批准`: between authorities
            if re.search(r"(?:不需要?|无需|免于?|不必)[^，。；]{0,10}$", sentence[:m.start()]):
                continue  # `不需要办理登记的` says the procedure is not required
            if sentence[max(0, m.start() - 1):m.start() + 1] == "已经" or re.match(r"[^，。；]{0,4}的", sentence[m.end():]):
                continue  # `经批准的设计文件`, `已经许可`: a thing already approved, not a procedure asked
            head = re.split(r"应当|必须|须|[，,]并|[，,]$", _bare(sentence[:m.start()]), maxsplit=1)[0].strip("，, ")
            whole = _bare(sentence[:m.start()] + sentence[m.end():])
            out.append(Procedure(clause, sentence.strip(), word, head if len(head) >= 4 else whole, whole))
            break
    return out


def overlap_of(text: str, other: str) -> float:
    """The share of the bigrams of `text` found in `other`."""
    mine = set(grams(text))
    return len(mine & set(grams(other))) / len(mine) if mine else 0.0


def _trigrams(text: str) -> set[str]:
    t = NON_TEXT.sub("", text or "").replace("的", "")  # 陡坡地的范围 is no match for 荒坡地
    return {t[i:i + 3] for i in range(len(t) - 2)}


def _contained(text: str, other: str) -> float:
    """The share of the character trigrams of `text` found in `other` (terms such as 企业标准
    or 荒坡地 count whole, not as their common bigrams)."""
    mine = _trigrams(text)
    return len(mine & _trigrams(other)) / len(mine) if mine else 0.0


def _parent_bearer_is_government(sentence: str, at: int) -> bool:
    """In a parent sentence, the procedure is an authority's own when the sentence opens with one
    or hands it the act (`行业标准由国务院有关行政主管部门制定，报…备案`); a government body named
    elsewhere (`国务院卫生行政部门规定的菌种…，须经…批准`) is not the one going through it."""
    before = _bare(sentence[:at])
    return bool(re.search(r"由[^，。；]{0,30}?(?:政府|部门|机关|机构|国务院)", before)
                or GOVERNMENT.match(before.strip()) or re.match(r"^[^，。；]{0,12}?(?:政府|部门|机关|国务院)", before))


def _parent_requires(sentence: str, strength: int) -> bool:
    """A parent sentence that asks a procedure at least this strong of someone not a government
    body, or names a thing approved (filed) under it (`按照…批准的设计文件`, `审批办法`)."""
    asked = [(m.start(), _asked(m)) for m in REQUIRED.finditer(sentence)]
    if any(w and _strength(w) >= strength and not _parent_bearer_is_government(sentence, at) for at, w in asked):
        return True
    bare = REQUIRED.sub("", sentence)
    return any(_strength(w) >= strength for w in re.findall(rf"{_WORD}|报批", bare))


SAME_ACT = 0.5  # dice of two penalised acts that are the same act worded otherwise


def _punished_without(parent: Document) -> list[str]:
    """The acts the parent punishes that are done without a prerequisite (`制造、销售未经考核合格的
    计量器具新产品`)."""
    from .conflicts import penalties

    return [p.act for c in parent.clauses for p in penalties(c) if DENY.search(p.act)]


def _parent_punishes_same(proc: Procedure, punished: list[str]) -> bool:
    """A procedure named inside a penalised act (`制造、销售未经型式批准…的，责令…`) is no added duty
    when the parent punishes the same act done without its own prerequisite, worded otherwise
    (`未经考核合格`): the parent requires a procedure there, the document names it."""
    from .conflicts import penalties

    acts = [p.act for p in penalties(proc.clause) if p.act in proc.sentence or proc.sentence.startswith(p.act)]
    return any(DENY.search(a) and dice(a, b) >= SAME_ACT for a in acts for b in punished)


@dataclass
class Added:
    procedure: Procedure
    parent_clause: Clause
    parent_sentence: str


def added_procedures(doc: Document, parent: Document, counterparts: dict[int, list[int]] | None = None) -> list[Added]:
    """The procedures of `doc` the parent requires of nobody for the same thing, where the parent
    speaks of that thing (a sentence holding `SPEAKS` of its words; the sentences holding
    nearly as many as the best one are those on the same thing). The parent clause named is
    the nearest sentence among the clause's aligned `counterparts` when it has any, unless a
    sentence elsewhere speaks of the procedure's topic and none of theirs does (the named article
    must not depend on which other texts the store holds)."""
    theirs = [(c, s.strip()) for c in parent.clauses for s in SENTENCE.findall(c.text) if len(s.strip()) >= 6]
    punished = _punished_without(parent)
    out = []
    for proc in (p for c in doc.clauses for p in procedures(c)):
        if _parent_punishes_same(proc, punished):
            continue
        scores = [(_contained(proc.whole, s), c, s) for c, s in theirs]
        best = max((x[0] for x in scores), default=0.0)
        near = [(c, s) for x, c, s in scores if x >= max(SPEAKS, NEAR * best)]
        if not near or any(_parent_requires(s, _strength(proc.word)) for _, s in near):
            continue
        aligned = [(c, s) for c, s in theirs if c.number in (counterparts or {}).get(proc.clause.number, [])]
        on_topic = lambda x: (_contained(proc.topic, x[1]), _contained(proc.whole, x[1]))  # noqa: E731
        clause, sentence = overall = max(theirs, key=on_topic)
        if aligned and (on_topic(mine := max(aligned, key=on_topic))[0] > 0 or not on_topic(overall)[0]):
            clause, sentence = mine  # an aligned article unless it shares no word of the topic and another does
        if any(_parent_requires(s, _strength(proc.word)) for s in SENTENCE.findall(clause.text)):
            continue  # the article it is named with requires it (in a sentence worded otherwise)
        out.append(Added(proc, clause, sentence))
    return out


def procedure_conflicts(doc: Document, parent: Document, counterparts: dict[int, list[int]] | None = None) -> list:
    """added_restriction for each added procedure; penalty_conflict for a penalty on skipping one
    (named with the parent's nearest act, `企业未依照本法规定公开其执行的标准的`)."""
    from .conflicts import Conflict, _units, penalties

    out = []
    added = added_procedures(doc, parent, counterparts)
    for a in added:
        p = a.procedure
        said = p.sentence.rstrip("。；;") if len(p.sentence) <= 42 else p.sentence[:40] + "…"
        message = (f"本文件{p.clause.label}要求“{said}”（{p.word}），而《{parent.meta.title}》"
                   f"{a.parent_clause.label}对同一事项没有规定{p.word}：增设了上位法没有的审批、备案类义务，"
                   "请核对是否有上位法依据（上位法修订后可能已取消）。")
        out.append(Conflict("added_restriction", "medium", p.clause.number, a.parent_clause.number, message,
                            p.sentence, a.parent_sentence, {"procedure": p.word}))
    if not added:
        return out
    acts = [(c, act, text) for c in parent.clauses for act, text in _units(c)]
    for clause in doc.clauses:
        for pen in penalties(clause):
            m = re.search(rf"(?:{DENY.pattern})[^，。；]{{0,20}}?({_WORD}|报批)", pen.act)
            if not m:
                continue
            basis = max(added, key=lambda a: overlap_of(pen.act, a.procedure.sentence))
            if _strength(m.group(1)) != _strength(basis.procedure.word) or overlap_of(pen.act, basis.procedure.sentence) < LINKED:
                continue  # the penalty is for skipping another procedure
            best = max(acts, key=lambda x: dice(pen.act, x[1]), default=None)  # the parent's nearest act
            pclause, psentence = (best[0], f"{best[1]}的，{best[2]}") if best else (basis.parent_clause, basis.parent_sentence)
            message = (f"本文件{clause.label}对“{pen.act[:40]}”设定处罚，而该{m.group(1)}义务是本文件"
                       f"{basis.procedure.clause.label}增设的，《{parent.meta.title}》没有规定：处罚了上位法未要求的行为，请核对。")
            out.append(Conflict("penalty_conflict", "high", clause.number, pclause.number, message,
                                pen.sentence, psentence, {"procedure": m.group(1), "new_kinds": sorted(pen.kinds)}))
    return out
