"""The precision rules of the drafter's check (issue 13) and its conflicts, as hooks for findings.py.

- Figures are amounts, percentages, counts, periods and deadlines, never references to an
  article, paragraph or item (`本条例第四十条`, `第十八条`, `第（二）项`); fines are compared only for
  the same offence (penalty_conflict), never as number_mismatch.
- Modality is compared only between sentences stating the same duty (:mod:`.duty`): not
  `可以中止` with `终止`, not a duty with a parent `国家鼓励`, not with `方可` (a condition), and not
  when another sentence of the parent states the duty with the document's own force.
- An obligation is omitted only where the document's clause restates the parent clause (shares
  a sentence with it nearly word for word) and no clause of the document states the duty; a
  parent duty naming no party (`…应当依法订立劳动合同`) is still a duty.
- not_covered only within the document's scope (:mod:`.scope`).
- Conflicts with the higher-level law (:mod:`.conflicts`) become findings.
"""
from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

from policykg.extract.figures import Figure
from policykg.extract.modality import Obligation, is_party
from policykg.text import EXPLICIT_STRONG, STRONG, WEAK
from policykg.ingest.model import Clause, Document

from . import scope as scoping
from .conflicts import find_conflicts
from .duty import content, different_actions, main_verb, not_an_obligation, roles_compatible, same_action, same_duty, verbs
from .similarity import dice, overlap, sentences

if TYPE_CHECKING:
    from .findings import Checker

POLICY = re.compile(r"^[^，。；]{0,8}?(?:鼓励|支持|提倡|倡导)")
OBJECT = 0.4  # bigram Dice below which the objects of one verb are different things
RESTATE = 0.6  # the clause shares a sentence this close with the parent clause: it restates it
CONTAINED = 0.8  # a document sentence holding this share of a duty's words states it, whatever the verb
COVERED = 0.5  # a document sentence holding this share of a duty's words (same verb) states it
MIN_DUTY = 6  # characters of action a party-less duty needs


def real_figures(text: str, figures: list[Figure]) -> list[Figure]:
    """The figures that are quantities: not `第四十七条`, `第二款`, `第（三）项`; and not fines
    (罚款, 罚金), which penalty_conflict compares only for the same offence."""
    return [f for f in figures if not re.search(r"第[（(]?$", text[max(0, f.start - 2):f.start])
            and not re.search(r"罚款|罚金", f.sentence)]


def _is_condition(unit: Obligation) -> bool:
    """`…，方可上岗作业`: the 可 of 方可 states a condition, not a permission."""
    return unit.marker == "可" and "方可" in unit.sentence and not re.search(r"(?<!方)可以", unit.sentence)


def _object(action: str) -> str:
    """The words right after an action's main verb (`制定国家标准(含…` → 国家标准), or ""."""
    verb = main_verb(action)
    if not verb:
        return ""
    return re.split(r"[，。；：,;:（(]", action[action.index(verb) + len(verb):])[0][:6]


def different_objects(a: str, b: str) -> bool:
    """The same verb on different things: `制定国家标准` vs `制定行业标准`."""
    oa, ob = _object(a), _object(b)
    return main_verb(a) == main_verb(b) and len(oa) >= 2 and len(ob) >= 2 and dice(oa, ob) < OBJECT


def same_duty_modality(unit: Obligation, punit: Obligation, punits: list[tuple[Clause, Obligation]], kind: str,
                       worded: bool = True, legal: bool = False) -> bool:
    """Whether a modality difference between `unit` and `punit` is a real one (same duty);
    `worded`: the two were matched by their wording (not by party, verb and object); `legal`: the
    parent is a law or regulation, where the two must open with the same legal verb."""
    if _is_condition(unit) or _is_condition(punit):
        return False
    if not_an_obligation(punit.party, punit.modality, WEAK):
        return False
    if kind == "weakened_modality" and POLICY.match(punit.sentence):
        return False  # `国家鼓励…` states a policy, it obliges nobody
    if is_party(unit.party) and is_party(punit.party) and not roles_compatible(unit.party, punit.party):
        return False
    if different_actions(unit.action, punit.action) or (worded and different_objects(unit.action, punit.action)):
        return False
    if legal and not same_action(unit.action, punit.action):
        return False  # a law's 可以 is a right; a duty to follow a procedure in using it is another action
    if _states_force(punit.sentence, unit.modality in STRONG):
        return False  # the parent sentence itself says 可以/有权 (or 应当) for the document's force
    mine = STRONG if unit.modality in STRONG else WEAK
    for _, other in punits:  # the parent also states this duty with the document's force
        if other is not punit and other.modality in mine and not _is_condition(other) \
                and verbs(other.action) & verbs(unit.action) and overlap(content(other.action), content(unit.action)) >= 0.5:
            return False
    return True


def _states_force(sentence: str, strong: bool) -> bool:
    text = re.sub(r"方可|不可|可能|可行|可靠|可持续|认可|许可", "", sentence)
    return bool(re.search(r"应当|必须|(?<![相对适反响供])应(?![用对急])" if strong else r"可以|有权|允许", text))


def relaxed_duty(unit: Obligation, punits: list[tuple[Clause, Obligation]]) -> tuple[float, Clause, Obligation] | None:
    """A permission (可以) in place of a parent duty (应当) of the same party, verb and object,
    even where the two sentences are worded differently (`可以只支付…工资` vs `应当…300%支付…`)."""
    if unit.modality != "may" or _is_condition(unit):
        return None
    for pclause, punit in punits:
        if punit.modality in EXPLICIT_STRONG and same_duty(unit.action, unit.party, punit.action, punit.party):
            return overlap(content(unit.sentence), content(punit.sentence)), pclause, punit
    return None


def restates(pair: dict, number: int, cited: dict[int, set[int]]) -> bool:
    """The document's clause restates the parent clause (rather than detailing or citing it): it
    shares a sentence nearly word for word."""
    return pair.get("sentence", 1.0) >= RESTATE and number not in cited


def restated_paragraphs(pclause: Clause, clause: Clause, sim: Callable[[str, str], float]) -> list[str]:
    """The paragraphs of `pclause` that `clause` restates (one of their sentences nearly word for
    word). A law or regulation applies without restating: a document restating one paragraph of
    an article leaves the others in force, it omits nothing of them."""
    mine = sentences(clause.body)
    return [para for para in pclause.body.split("\n")
            if any(sim(a, b) >= RESTATE for a in sentences(para) for b in mine)]


def in_paragraphs(sentence: str, paragraphs: list[str]) -> bool:
    probe = sentence.strip("，。；, ")[:30]
    return any(probe in para for para in paragraphs)


def is_duty(punit: Obligation) -> bool:
    """A duty of a named party, or a party-less one (`建立劳动关系，应当订立书面劳动合同`)."""
    return is_party(punit.party) or (not punit.party and len(punit.action) >= MIN_DUTY)


def covered_anywhere(punit: Obligation, units: list[tuple[Clause, Obligation]], doc: Document) -> bool:
    """Some clause of the document states the duty: the same party, verb and object, or most of
    its words with the same verb (in any clause, not only the aligned one)."""
    words = content(punit.action)
    for _, u in units:
        if same_duty(u.action, u.party, punit.action, punit.party):
            return True
        if overlap(words, content(u.sentence)) >= CONTAINED and len(set(words)) >= 3:
            return True  # the duty's words are all there (`佩戴标志` in `…人员所佩戴的标志`)
        if roles_compatible(u.party, punit.party) and verbs(u.sentence) & verbs(punit.action) \
                and overlap(words, content(u.sentence)) >= COVERED:
            return True
    return False


def legal(parent: Document) -> bool:
    return scoping.is_legal_norm(parent)


def cited(child: Document, parent: Document) -> dict[int, set[int]]:
    return scoping.cited_articles(child, parent)


def scope(child: Document, parent: Document, covered: set[int]) -> dict[str, Any]:
    """The scope object of `child` in `parent` (covered clauses include the cited articles)."""
    refs = scoping.cited_articles(child, parent)
    result = scoping.describe(child, parent, covered | set(refs), scoping.is_legal_norm(parent))
    result["cited"] = sorted(refs)
    return result


def in_scope(pclause: Clause, scope: dict[str, Any], partial: bool) -> bool:
    """Whether an uncovered parent clause is reported not_covered."""
    if scope["legal_norm"] or scoping.boilerplate(pclause) or pclause.number in scope["cited"]:
        return False
    return not partial or not pclause.section_label or pclause.section_label in scope["chapters"]


def conflict_findings(checker: "Checker") -> list:
    """The conflicts with each full-text parent, as findings."""
    from .findings import Finding

    out = []
    for parent, pdoc in checker.parents.items():
        if checker.is_digest(parent):
            continue
        counterparts = {c.number: [p["parent_clause"] for p in checker.accepted(parent, c.number)]
                        for c in checker.doc.clauses}
        for c in find_conflicts(checker.doc, pdoc, counterparts):
            out.append(Finding(c.kind, c.severity, c.clause, parent, c.parent_clause, c.message.replace("本文件", checker.me),
                               text=c.text, parent_text=c.parent_text, extra=c.extra))
    return out


def _register_kinds() -> None:
    from .kinds import FindingKind, register

    for kind in (FindingKind("penalty_conflict", "处罚超出上位法", "penalty outside the parent's range", "high"),
                 FindingKind("deadline_conflict", "期限与上位法不一致", "time limit differs from the parent's", "high"),
                 FindingKind("permission_conflict", "允许上位法禁止的行为", "permits what the parent forbids", "high"),
                 FindingKind("added_restriction", "增设限制或义务", "restriction the parent does not impose")):
        register(kind)


_register_kinds()
