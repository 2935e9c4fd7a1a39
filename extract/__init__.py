"""Extraction: what each clause says, as facts the graph is built from.

`annotate_documents(documents)` runs the spaCy pipeline (entities.py) and the benefit rules
(benefits.py, with amounts read by policykg.text) over every clause and returns ``{(doc_id, number): ClauseFacts}``.
The vocabulary (ontology/vocab/*.ttl, plus a corpus folder's own vocab/) is data: a new name
needs no code change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from policykg.extract.benefits import Benefit, document_funders, find_benefits
from policykg.extract.entities import Entity, find_entities
from policykg.extract.vocab import Vocabulary, load_vocabulary
from policykg.text import sentence_bounds


@dataclass
class ClauseFacts:
    """The facts of one clause. Entities and benefits carry the sentence they came from."""

    document: str
    number: int
    entities: list[Entity] = field(default_factory=list)
    benefits: list[Benefit] = field(default_factory=list)
    sentences: dict[int, str] = field(default_factory=dict)  # entity start → its sentence

    def sentence_of(self, entity: Entity) -> str:
        return self.sentences.get(entity.start, "")


def corpus_dirs(documents) -> tuple[Path, ...]:
    return tuple(sorted({Path(d.meta.corpus_dir) for d in documents if d.meta.corpus_dir}))


def vocabulary_for(documents) -> Vocabulary:
    return load_vocabulary(corpus_dirs(documents))


def annotate_clause(doc_id: str, number: int, text: str, vocab: Vocabulary) -> ClauseFacts:
    entities = find_entities(text, vocab)
    benefits, seen = [], set()
    for b in find_benefits(text, entities, vocab):
        key = (b.what, b.type, b.amount, b.max_amount, tuple(e.concept for e in b.beneficiaries))
        if key not in seen:
            seen.add(key)
            benefits.append(b)
    facts = ClauseFacts(doc_id, number, entities, benefits)
    bounds = sentence_bounds(text)
    for e in entities:
        facts.sentences[e.start] = next((text[s:t].strip() for s, t in bounds if s <= e.start < t), text)
    return facts


def annotate_documents(documents) -> dict[tuple[str, int], ClauseFacts]:
    """Extract entities and benefits from every clause of every document."""
    vocab = vocabulary_for(documents)
    out: dict[tuple[str, int], ClauseFacts] = {}
    for doc in documents:
        facts = [annotate_clause(doc.id, c.number, c.text, vocab) for c in doc.clauses]
        funders = document_funders([c.text for c in doc.clauses], [f.entities for f in facts])
        for clause, f in zip(doc.clauses, facts):
            for b in f.benefits:
                if not b.agencies and b.type in ("money", "subsidy") and funders:
                    b.agencies = list(funders)
            out[(doc.id, clause.number)] = f
    return out


__all__ = ["ClauseFacts", "Entity", "Benefit", "annotate_documents", "annotate_clause", "vocabulary_for"]
