"""Alignment of each clause of a document with the clauses of the documents it implements.

For a clause d of a document and a clause p of one of its parents the score mixes

- ``lexical``: cosine of character-bigram TF-IDF vectors of the two clause bodies;
- ``sentence``: the best TF-IDF cosine between a sentence of d and a sentence of p (a clause
  that implements only part of a long parent clause still shares one sentence with it);
- ``semantic``: cosine of the clause embeddings (m3e-small by default), rescaled because
  such models put every pair of same-topic clauses between 0.8 and 1;
- ``title``: bigram Dice of the two headings (when both have one);
- ``figures``: 0.1 when both state a figure for the same indicator.

Every pair is kept best first per clause and parent (top `KEEP`); a pair is *accepted* — a
`pol:alignsWith` in the graph and a counterpart for the findings — when its score reaches
`ACCEPT`, when it is the clause's best pair in that parent and reaches `ACCEPT_BEST`, or when
it reaches `ACCEPT_NEAR` and is close to the best pair (a clause that merges two parent clauses).
The build stage keeps the alignments in the store (`StoreDraft.write_alignments`) and their
triples in the graph; :func:`load_or_compute` gives the check the same data for any store.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from rdflib import Graph

from policykg.extract.figures import Figure, same_indicator
from policykg.ingest.model import Clause, Document
from policykg.kg.rdf import add_alignments

from .facts import clause_facts
from .similarity import TfIdf, clause_vectors, dice, sentences

KEEP = 5
ACCEPT = 0.34
ACCEPT_BEST = 0.22
ACCEPT_NEAR, NEAR_RATIO = 0.28, 0.75  # a second counterpart close to the best one (a clause merging two)
WEIGHTS = {"lexical": 0.35, "sentence": 0.25, "semantic": 0.25, "title": 0.15}
SEMANTIC_FLOOR, SEMANTIC_SPAN = 0.80, 0.18


@dataclass
class Pair:
    """One scored clause pair: clause `clause` of the document ↔ `parent_clause` of `parent_document`."""

    clause: int
    parent_document: str
    parent_clause: int
    score: float
    lexical: float
    sentence: float
    semantic: float
    title: float
    accepted: bool = False


class Aligner:
    """Scores clause pairs between documents; built once over all loaded documents."""

    def __init__(self, documents: list[Document], vectors: dict,
                 figures: dict[tuple[str, int], list[Figure]] | None = None) -> None:
        self.documents = {d.id: d for d in documents}
        clauses = [c for d in documents for c in d.clauses]
        self.tfidf = TfIdf(c.body for c in clauses)
        self.sent_tfidf = TfIdf(s for c in clauses for s in sentences(c.body))
        self.vectors = vectors
        self._vec = {c.key: self.tfidf.vector(c.body) for c in clauses}
        self._sents = {c.key: [self.sent_tfidf.vector(s) for s in sentences(c.body)] for c in clauses}
        figures = figures or {}
        self._figs = {c.key: figures.get(c.key, []) for c in clauses}

    def pair(self, d: Clause, p: Clause) -> Pair:
        lexical = TfIdf.cosine(self._vec[d.key], self._vec[p.key])
        sentence = max((TfIdf.cosine(a, b) for a in self._sents[d.key] for b in self._sents[p.key]), default=0.0)
        semantic = 0.0
        if d.key in self.vectors and p.key in self.vectors:
            cos = float(self.vectors[d.key] @ self.vectors[p.key])
            semantic = min(1.0, max(0.0, (cos - SEMANTIC_FLOOR) / SEMANTIC_SPAN))
        title = dice(d.title, p.title) if d.title and p.title else 0.0
        score = (WEIGHTS["lexical"] * lexical + WEIGHTS["sentence"] * sentence
                 + WEIGHTS["semantic"] * semantic + WEIGHTS["title"] * title)
        if any(same_indicator(a, b) for a in self._figs[d.key] for b in self._figs[p.key]):
            score += 0.1
        return Pair(d.number, p.document, p.number, round(min(score, 1.0), 4), round(lexical, 4),
                    round(sentence, 4), round(semantic, 4), round(title, 4))

    def align(self, doc: Document, parent: Document) -> dict[int, list[Pair]]:
        """For each clause of `doc`, its best `KEEP` pairs in `parent`, best first, with acceptance."""
        result: dict[int, list[Pair]] = {}
        for d in doc.clauses:
            pairs = sorted((self.pair(d, p) for p in parent.clauses), key=lambda x: -x.score)[:KEEP]
            for i, pair in enumerate(pairs):
                pair.accepted = (pair.score >= ACCEPT or (i == 0 and pair.score >= ACCEPT_BEST)
                                 or (pair.score >= ACCEPT_NEAR and pair.score >= NEAR_RATIO * pairs[0].score))
            result[d.number] = pairs
        return result


def align_all(documents: list[Document], vectors: dict,
              figures: dict[tuple[str, int], list[Figure]] | None = None) -> dict[str, Any]:
    """Alignments of every document that implements others: {doc: {parents, missing, pairs}};
    `figures` are the extracted figures of each clause (their shared indicators add to a score)."""
    by_id = {d.id: d for d in documents}
    children = [d for d in documents if d.meta.implements]
    if not children:
        return {}
    aligner = Aligner(documents, vectors, figures)
    out: dict[str, Any] = {}
    for doc in children:
        parents = [p for p in doc.meta.implements if p in by_id]
        missing = [p for p in doc.meta.implements if p not in by_id]
        pairs = {p: aligner.align(doc, by_id[p]) for p in parents}
        out[doc.id] = {
            "parents": parents,
            "missing": missing,
            "pairs": {p: {str(n): [asdict(x) for x in lst] for n, lst in per.items()} for p, per in pairs.items()},
        }
    return out


def build_alignments(documents: list[Document], graph: Graph, vectors: dict, model: str,
                     figures: dict[tuple[str, int], list[Figure]] | None = None) -> dict[str, Any]:
    """Build stage: alignments of documents with their parents (their triples added to `graph`),
    from the clause texts, the embeddings and the `figures` the extract stage found; returns the
    alignments the store keeps."""
    if not any(d.meta.implements for d in documents):
        return {}
    wanted = {d.id for d in documents if d.meta.implements}
    wanted |= {p for d in documents for p in d.meta.implements}
    clauses = [c for d in documents if d.id in wanted for c in d.clauses]
    vectors = clause_vectors(clauses, model, vectors)
    data = align_all(documents, vectors, figures)
    add_alignments(graph, data)
    return data


def load_or_compute(store, doc_id: str, model: str) -> dict[str, Any]:
    """The alignment entry of one document: from the store's alignments, else computed now."""
    data = store.alignments()
    if data is not None and doc_id in data:
        return data[doc_id]
    documents = store.documents()
    doc = store.document(doc_id)
    known = {d.id for d in documents}
    if not any(p in known for p in doc.meta.implements):  # nothing to align with: no model to load
        return {"parents": [], "missing": [p for p in doc.meta.implements if p not in known], "pairs": {}}
    wanted = {doc_id, *doc.meta.implements}
    clauses = [c for d in documents if d.id in wanted for c in d.clauses]
    vectors = clause_vectors(clauses, model)
    chosen = [d for d in documents if d.id in wanted]
    figures = {key: f.figures for key, f in clause_facts(store, chosen).items()}
    return align_all(chosen, vectors, figures).get(
        doc_id, {"parents": [], "missing": [], "pairs": {}})
