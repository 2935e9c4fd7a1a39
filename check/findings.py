"""The consistency findings of a document against its aligned parent clauses.

Kinds (CONTRACT.md section 3): placeholder, number_mismatch, weakened_modality,
strengthened_modality, omitted_obligation, not_covered. Each finding names the clause, the
parent document and clause, a severity (high, medium, low), a message in Chinese a drafter
understands, and evidence {text, parent_text}.

Precision rules: modality is compared per obligation unit (the draft unit with the parent unit
it best matches), not per clause; equal figures are never findings; a parent that is only a
digest (manifest ``text = "digest"``) yields no omitted_obligation and only low-severity
not_covered, and its modality findings are dropped where a full-text parent already shows the
same difference; a checked document that is itself a digest gets neither omitted_obligation nor
not_covered (it summarises part of its text by design).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from policykg.extract import ClauseFacts
from policykg.extract.figures import Figure, same_indicator, same_value
from policykg.extract.modality import Obligation, is_party
from policykg.ingest.model import Clause, Document
from policykg.text import EXPLICIT_STRONG, STRONG, WEAK, WORDS, strip_modal_words

from . import rules
from .similarity import TfIdf, dice, overlap

MATCH = 0.42  # obligation units at least this similar are counterparts
MATCH_CONTAINED, CONTAINED = 0.3, 0.6  # or less similar, but the draft unit's words are mostly in the parent's
COUNTERPART = 0.30  # a parent obligation with no draft unit this similar is omitted
SAME_DUTY = 0.4  # or whose action opens with the same verb and shares this much (see _same_duty)
CLOSE_PAIR = 0.5  # clause pairs at least this close implement one another as a whole
NOT_COVERED_CLEAR = 0.3  # no sentence of the document this similar: the parent clause is clearly not covered
PARTIAL_SCOPE = 0.5  # a document covering less than this share of a parent implements only part of it
RELATIVE_UNITS = ("%", "个百分点", "倍")  # figures comparable across administrative levels
FLOOR_WORDS = ("以上", "超过", "不低于", "不少于", "达到", "至少", "高于")


def _same_duty(parent: Obligation, unit: Obligation) -> bool:
    """The same duty handed to another party: the actions open with the same verb and share most
    of their words ("各级政府要统筹利用现有资金渠道" ↔ "财政部门要统筹利用地方教育附加专项资金")."""
    a, b = parent.action.strip(), unit.action.strip()
    return len(a) >= 4 and len(b) >= 4 and a[:2] == b[:2] and overlap(a, b) >= SAME_DUTY


@dataclass
class Finding:
    kind: str
    severity: str
    clause: int | None
    parent_document: str | None
    parent_clause: int | None
    message: str
    text: str = ""
    parent_text: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": self.kind, "severity": self.severity, "clause": self.clause,
               "parent_document": self.parent_document, "parent_clause": self.parent_clause,
               "message": self.message, "evidence": {"text": self.text, "parent_text": self.parent_text}}
        out["evidence"].update(self.extra)
        return out


def where(doc: Document, clause: Clause | None, checked: bool = False) -> str:
    """How a message names a clause: 草案（三） for the checked draft, 《title》（三） for a parent."""
    label = clause.label if clause is not None else ""
    if checked:
        return f"{self_name(doc)}{label}"
    return f"《{doc.meta.title}》{label}"


def self_name(doc: Document) -> str:
    return "草案" if doc.meta.status == "draft" else "本文件"


def _with_severity(finding: Finding, severity: str) -> Finding:
    finding.severity = severity
    return finding


def _lower(severity: str) -> str:
    return {"high": "medium", "medium": "low"}.get(severity, "low")


class Checker:
    """Finds the consistency problems of `doc` given its accepted alignments with its parents."""

    def __init__(self, doc: Document, parents: dict[str, Document], pairs: dict[str, dict[str, list[dict]]],
                 facts: dict[tuple[str, int], ClauseFacts]) -> None:
        """`facts`: the extracted obligations, figures and blanks of every clause of `doc` and its
        parents (check.facts.clause_facts reads them from the graph)."""
        self.doc = doc
        self.parents = parents
        self.pairs = pairs
        self.facts = facts
        clauses = [c for d in [doc, *parents.values()] for c in d.clauses]
        self.obligations = {c.key: self._facts(c).obligations for c in clauses}
        self.tfidf = TfIdf(u.sentence for c in clauses for u in self.obligations[c.key])
        self._vec: dict[str, dict[str, float]] = {}
        self.me = self_name(doc)
        self.scopes: list[dict[str, Any]] = []  # what the document implements of each parent (not_covered)

    # -- helpers ------------------------------------------------------------------------
    def sim(self, a: str, b: str) -> float:
        for t in (a, b):
            if t not in self._vec:
                self._vec[t] = self.tfidf.vector(strip_modal_words(t))
        return TfIdf.cosine(self._vec[a], self._vec[b])

    def accepted(self, parent: str, number: int) -> list[dict]:
        return [p for p in self.pairs.get(parent, {}).get(str(number), []) if p["accepted"]]

    def top(self, parent: str, number: int, k: int = 3) -> list[dict]:
        return self.pairs.get(parent, {}).get(str(number), [])[:k]

    def best_parent_clause(self, number: int) -> tuple[str, Clause] | None:
        best = None
        for parent in self.parents:
            for p in self.accepted(parent, number)[:1]:
                if best is None or p["score"] > best[0]:
                    best = (p["score"], parent, p["parent_clause"])
        if best is None:
            return None
        return best[1], self.parents[best[1]].clause(best[2])

    def is_digest(self, parent: str) -> bool:
        return self.parents[parent].meta.text == "digest"

    def _facts(self, clause: Clause) -> ClauseFacts:
        return self.facts.get(clause.key) or ClauseFacts(clause.document, clause.number)

    def figures(self, clause: Clause) -> list[Figure]:
        return self._facts(clause).figures

    # -- finding kinds --------------------------------------------------------------------
    def placeholders(self) -> list[Finding]:
        out = []
        for clause in self.doc.clauses:
            blanks = self._facts(clause).placeholders
            if not blanks:
                continue
            counterpart = self.best_parent_clause(clause.number)
            parent_figures = [(counterpart[0], f) for f in self.figures(counterpart[1])] if counterpart else []
            for blank in blanks:
                hint = _hint(blank.evidence, parent_figures)
                message = f"{where(self.doc, clause, True)}留有待填空白：“{blank.evidence}”。"
                if hint:
                    message += f"上级文件对应指标为“{hint.indicator} {hint.text}”，请填写具体内容。"
                else:
                    message += "请填写具体数字或内容后再发出。"
                out.append(Finding(
                    "placeholder", "high", clause.number, counterpart[0] if counterpart else None,
                    counterpart[1].number if counterpart else None, message, text=blank.evidence,
                    parent_text=hint.sentence if hint else (counterpart[1].text if counterpart else "")))
        return out

    def number_mismatches(self) -> list[Finding]:
        out = []
        for clause in self.doc.clauses:
            for fig in rules.real_figures(clause.body, self.figures(clause)):
                candidates: list[tuple[float, float, str, Clause, Figure]] = []
                for parent, pdoc in self.parents.items():
                    aligned = {p["parent_clause"]: p["score"] for p in self.top(parent, clause.number) if p["accepted"]}
                    for pclause in pdoc.clauses:
                        for pfig in rules.real_figures(pclause.body, self.figures(pclause)):
                            same = same_indicator(fig, pfig)
                            if not same or (fig.unit == "元" and dice(fig.context, pfig.context) < 0.35):
                                continue
                            # outside the aligned clauses only the very same ratio counts (X占Y的比例)
                            if pclause.number in aligned or (same >= 1.0 and fig.unit == "%"):
                                candidates.append((same, aligned.get(pclause.number, 0.0), parent, pclause, pfig))
                if not candidates or any(same_value(fig, c[4]) for c in candidates):
                    continue
                _, _, parent, pclause, pfig = max(candidates, key=lambda c: (c[0], c[1]))
                lower = fig.value < pfig.value
                floor = any(w in pfig.comparison for w in FLOOR_WORDS)
                severity = "high" if (lower and floor) or not floor else "medium"
                # a count or amount of a higher level is its whole area's total: a lower level's differs by design
                total = fig.unit not in RELATIVE_UNITS and self.parents[parent].meta.level != self.doc.meta.level
                message = (f"{where(self.doc, clause, True)}的“{fig.indicator or pfig.indicator}”为“{fig.text}”，"
                           f"而{where(self.parents[parent], pclause)}为“{pfig.text}”"
                           f"{'，低于上级要求' if lower and floor and not total else ''}。")
                if total:
                    severity = "low"
                    message += "上级数字是其辖区的总量，本级数字不同可能是分解落实，请确认。"
                else:
                    message += "请核对数字是否有意调整。"
                out.append(Finding("number_mismatch", severity, clause.number, parent, pclause.number, message,
                                   text=fig.sentence, parent_text=pfig.sentence,
                                   extra={"value": fig.value, "parent_value": pfig.value, "unit": fig.unit}))
        return out

    def modality_changes(self) -> list[Finding]:
        out: list[Finding] = []
        seen: set[tuple[str, int, str]] = set()
        order = sorted(self.parents, key=self.is_digest)  # full texts first
        for parent in order:
            digest = self.is_digest(parent)
            for clause in self.doc.clauses:
                pclauses = [self.parents[parent].clause(p["parent_clause"]) for p in self.accepted(parent, clause.number)]
                punits = [(pc, u) for pc in pclauses for u in self.obligations[pc.key]]
                if not punits:
                    continue
                for unit in self.obligations[clause.key]:
                    score, pclause, punit = max(((self.sim(unit.sentence, u.sentence), pc, u) for pc, u in punits),
                                                key=lambda x: x[0])
                    contained = overlap(strip_modal_words(unit.sentence), strip_modal_words(punit.sentence))
                    worded = score >= MATCH or (score >= MATCH_CONTAINED and contained >= CONTAINED)
                    if not worded:
                        if not (relaxed := rules.relaxed_duty(unit, punits)):
                            continue
                        score, pclause, punit = relaxed
                    kind = _modality_kind(punit, unit)
                    if kind and not rules.same_duty_modality(unit, punit, punits, kind, worded, rules.legal(self.parents[parent])):
                        continue
                    if kind is None or (kind, clause.number, unit.sentence) in seen:
                        continue
                    seen.add((kind, clause.number, unit.sentence))
                    explicit = punit.modality in EXPLICIT_STRONG or unit.modality in EXPLICIT_STRONG
                    severity = "high" if kind == "weakened_modality" and punit.modality in EXPLICIT_STRONG else "medium"
                    if kind == "strengthened_modality":
                        severity = "medium" if explicit else "low"
                    if digest:
                        severity = _lower(severity)
                    party = next((p for p in (unit.party, punit.party) if is_party(p)), "")
                    verb = "弱化" if kind == "weakened_modality" else "强化"
                    message = (f"{where(self.doc, clause, True)}{('对“' + party + '”') if party else ''}的要求被{verb}："
                               f"上级{where(self.parents[parent], pclause)}用“{_word(punit)}”，"
                               f"{self.me}用“{_word(unit)}”。")
                    if digest:
                        message += "（该上级文件为要点摘要，非原文措辞，请以原文核对。）"
                    out.append(Finding(kind, severity, clause.number, parent, pclause.number, message,
                                       text=unit.sentence, parent_text=punit.sentence,
                                       extra={"modality": unit.modality, "parent_modality": punit.modality,
                                              "similarity": round(score, 3)}))
        return out

    def omitted_obligations(self) -> list[Finding]:
        out = []
        draft_units = [(c, u) for c in self.doc.clauses for u in self.obligations[c.key]]
        for parent, doc in self.parents.items():
            if self.is_digest(parent):
                continue
            cited = rules.cited(self.doc, doc)
            owner: dict[int, dict] = {}  # parent clause → its best top-1 draft pair
            for clause in self.doc.clauses:
                acc = self.accepted(parent, clause.number)
                if acc and (acc[0]["parent_clause"] not in owner or acc[0]["score"] > owner[acc[0]["parent_clause"]]["score"]):
                    owner[acc[0]["parent_clause"]] = acc[0]
            for number, pair in sorted(owner.items()):
                pclause = doc.clause(number)
                if not rules.restates(pair, number, cited):
                    continue  # the clause details the parent clause, it does not restate it
                restated = rules.restated_paragraphs(pclause, self.doc.clause(pair["clause"]), self.sim) \
                    if rules.legal(doc) else None
                for punit in self.obligations[pclause.key]:
                    if punit.modality not in EXPLICIT_STRONG or not rules.is_duty(punit):
                        continue
                    if restated is not None and not rules.in_paragraphs(punit.sentence, restated):
                        continue  # a paragraph of a law the document does not restate applies as it is
                    best = max((self.sim(punit.sentence, u.sentence) for _, u in draft_units), default=0.0)
                    if best >= COUNTERPART or any(_same_duty(punit, u) for _, u in draft_units):
                        continue
                    if rules.covered_anywhere(punit, draft_units, self.doc):
                        continue
                    message = (f"{where(doc, pclause)}规定“{_short(punit.sentence, 60)}”（义务主体：{punit.party or '未写明'}），"
                               f"{where(self.doc, self.doc.clause(pair['clause']), True)}及全文未见相应表述。"
                               "请确认是否有意省略。")
                    # a clause that takes up only part of a long parent clause omits the rest more naturally
                    severity = "medium" if pair["score"] >= CLOSE_PAIR else "low"
                    out.append(Finding("omitted_obligation", severity, pair["clause"], parent, number, message,
                                       text=self.doc.clause(pair["clause"]).text, parent_text=punit.sentence,
                                       extra={"party": punit.party, "modality": punit.modality,
                                              "best_similarity": round(best, 3)}))
        return out

    def not_covered(self) -> list[Finding]:
        out = []
        for parent, doc in self.parents.items():
            covered: set[int] = set()
            best: dict[int, tuple[float, int]] = {}
            shared: dict[int, float] = {}  # best sentence similarity with any clause of the document
            for clause in self.doc.clauses:
                for pair in self.pairs.get(parent, {}).get(str(clause.number), []):
                    if pair["accepted"]:
                        covered.add(pair["parent_clause"])
                    if pair["score"] > best.get(pair["parent_clause"], (0.0, 0))[0]:
                        best[pair["parent_clause"]] = (pair["score"], clause.number)
                    shared[pair["parent_clause"]] = max(shared.get(pair["parent_clause"], 0.0), pair["sentence"])
            partial = len(covered) < PARTIAL_SCOPE * len(doc.clauses)  # a document implementing a few parts only
            scope = rules.scope(self.doc, doc, covered)
            self.scopes.append(scope)
            for pclause in doc.clauses:
                if pclause.number in covered or not rules.in_scope(pclause, scope, partial):
                    continue
                score, nearest = best.get(pclause.number, (0.0, 0))
                clear = shared.get(pclause.number, 0.0) < NOT_COVERED_CLEAR
                severity = "medium" if clear and not partial else "low"
                message = f"{where(doc, pclause)}“{pclause.title or _short(pclause.body)}”在{self.me}中没有对应条款。"
                if not clear and nearest:
                    message += f"最接近的是{self.me}{self.doc.clause(nearest).label}，但对应程度较低。"
                if partial:
                    message += f"（{self.me}只对应上级文件 {len(doc.clauses)} 条中的 {len(covered)} 条，可能只落实其中部分内容。）"
                message += "请确认是否需要落实。"
                if self.is_digest(parent):
                    severity = "low"
                    message += "（该上级文件为要点摘要。）"
                out.append(Finding("not_covered", severity, None, parent, pclause.number, message,
                                   text="", parent_text=pclause.text,
                                   extra={"nearest_clause": nearest or None, "nearest_score": round(score, 4)}))
        return out

    def run(self) -> list[Finding]:
        from . import kinds

        findings = self.placeholders() + self.number_mismatches() + self.modality_changes()
        if self.doc.meta.text != "digest":  # a digest of part of a text omits by design
            findings += self.omitted_obligations() + self.not_covered()
        for kind in list(kinds.KINDS.values()):  # kinds registered with their own detector
            if kind.detect is not None:
                findings += [f if f.severity else _with_severity(f, kind.severity) for f in kind.detect(self)]
        conflicts = rules.conflict_findings(self)
        timed = {(f.clause, f.parent_document, f.parent_clause) for f in conflicts if f.kind == "deadline_conflict"}
        # a period that differs from the parent's is reported once, as the conflict it is
        findings = [f for f in findings if not (f.kind == "number_mismatch"
                                                 and (f.clause, f.parent_document, f.parent_clause) in timed)]
        findings += conflicts
        rank = {"high": 0, "medium": 1, "low": 2}
        findings.sort(key=lambda f: (f.clause is None, f.clause or 0, rank.get(f.severity, 3), f.kind))
        if not self.scopes:  # the scope is stated even where not_covered is not reported
            self.scopes = [rules.scope(self.doc, p, set()) for p in self.parents.values()]
        return findings


def _modality_kind(parent: Obligation, draft: Obligation) -> str | None:
    if parent.modality in STRONG and draft.modality in WEAK:
        return "weakened_modality"
    if parent.modality in WEAK and draft.modality in EXPLICIT_STRONG:
        return "strengthened_modality"
    return None


def _word(unit: Obligation) -> str:
    return unit.marker or WORDS.get(unit.modality, unit.modality)


def _short(text: str, n: int = 40) -> str:
    text = text.strip("，。；, ")
    return text if len(text) <= n else text[:n] + "…"


def _hint(evidence: str, figures: list[tuple[str, Figure]]) -> Figure | None:
    """The parent figure a blank most likely stands for (same indicator around it), or None."""
    left, _, right = evidence.partition("＿")
    measure = re.match(r"[万亿千百]?(家|名|个|人|项|所|元|%|％)", right)
    right = right[measure.end():] if measure else right
    left = re.sub(r"(?:超过|达到|不低于|不少于|不超过|高于|低于|提高到|提升至|为|达)$", "", left)
    best, score = None, 0.0
    for _, fig in figures:
        unit = {"人": "名", "％": "%"}.get(measure.group(1), measure.group(1)) if measure else fig.unit
        probe = Figure(indicator=left + right, value=0.0, unit=unit, comparison="", text="", sentence="")
        s = same_indicator(probe, fig)
        if s > score:
            best, score = fig, s
    return best
