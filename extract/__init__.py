"""Extraction: what each clause says, as facts the graph is built from.

`annotate_documents(documents)` runs the spaCy pipeline (entities.py), the benefit rules
(benefits.py, with amounts read by policykg.text), the obligations (modality.py), the figures
(figures.py) and the blanks left to fill (placeholders.py) over every clause and returns
``{(doc_id, number): ClauseFacts}``. kg/rdf.py mints the graph from them; the check reads them
back from the graph (check/facts.py), so nothing is extracted twice.
The vocabulary (ontology/vocab/*.ttl, plus a corpus folder's own vocab/) is data: a new name
needs no code change.
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path

from policykg.extract.benefits import Benefit, document_funders, find_benefits
from policykg.extract.entities import Entity, find_entities
from policykg.extract.figures import Figure, find_figures
from policykg.extract.modality import Obligation, find_obligations
from policykg.extract.placeholders import Placeholder, find_placeholders
from policykg.extract.vocab import Vocabulary, load_vocabulary
from policykg.text import sentence_bounds


@dataclass
class ClauseFacts:
    """The facts of one clause. Entities and benefits carry the sentence they came from.

    Obligations and figures are found in the clause body (the text after its title) and their
    offsets count from `body_offset` in the clause text; placeholders are found in the whole text."""

    document: str
    number: int
    entities: list[Entity] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    sentences: dict[int, str] = field(default_factory=dict)  # entity start → its sentence
    obligations: list[Obligation] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    body_offset: int = 0  # where the body starts in the clause text

    def sentence_of(self, entity: Entity) -> str:
        return self.sentences.get(entity.start, "")


def corpus_dirs(documents) -> tuple[Path, ...]:
    return tuple(sorted({Path(d.meta.corpus_dir) for d in documents if d.meta.corpus_dir}))


def vocabulary_for(documents) -> Vocabulary:
    return load_vocabulary(corpus_dirs(documents))


def annotate_clause(doc_id: str, number: int, text: str, vocab: Vocabulary, body: str | None = None) -> ClauseFacts:
    """Every fact of one clause's `text`; `body` is its text after the title (a suffix of `text`)."""
    body = text if body is None else body
    entities = find_entities(text, vocab)
    benefits, seen = [], set()
    for b in find_benefits(text, entities, vocab):
        key = (b.what, b.type, b.amount, b.max_amount, tuple(e.concept for e in b.beneficiaries))
        if key not in seen:
            seen.add(key)
            benefits.append(b)
    facts = ClauseFacts(doc_id, number, entities, benefits, obligations=find_obligations(body),
                        figures=find_figures(body), placeholders=find_placeholders(text),
                        body_offset=len(text) - len(body))
    bounds = sentence_bounds(text)
    starts = [s for s, _ in bounds]
    for e in entities:
        k = bisect_right(starts, e.start) - 1
        inside = k >= 0 and bounds[k][0] <= e.start < bounds[k][1]
        facts.sentences[e.start] = text[bounds[k][0]:bounds[k][1]].strip() if inside else text
    return facts


def annotate_documents(documents) -> dict[tuple[str, int], ClauseFacts]:
    """Extract entities and benefits from every clause of every document."""
    vocab = vocabulary_for(documents)
    out: dict[tuple[str, int], ClauseFacts] = {}
    for doc in documents:
        facts = [annotate_clause(doc.id, c.number, c.text, vocab, c.body) for c in doc.clauses]
        funders = document_funders([c.text for c in doc.clauses], [f.entities for f in facts])
        for clause, f in zip(doc.clauses, facts):
            for b in f.benefits:
                if not b.agencies and b.type in ("money", "subsidy") and funders:
                    b.agencies = list(funders)
            out[(doc.id, clause.number)] = f
    return out


__all__ = ["ClauseFacts", "Entity", "Benefit", "Obligation", "Figure", "Placeholder", "annotate_documents",
           "annotate_clause", "vocabulary_for"]
