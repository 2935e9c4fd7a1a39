"""Extraction triples for every clause: obligations, figures and placeholders (no blank nodes).

Shapes (IRIs are the clause IRI plus a suffix):

- ``…/clause/{n}/obligation/{i}`` a ``pol:Obligation``: ``pol:sentence``, ``pol:modality``
  (must, should, plain, encourage, support, may), ``pol:party``, ``pol:extractedFrom`` the clause;
  the clause ``pol:hasObligation`` it.
- ``…/clause/{n}/figure/{i}`` a ``pol:Figure``: ``pol:indicator`` @zh, ``pol:value`` xsd:decimal,
  ``pol:unit``, ``pol:sentence``, ``pol:extractedFrom``; the clause ``pol:hasFigure`` it.
- ``…/clause/{n}/placeholder/{i}`` a ``pol:Placeholder``: ``pol:evidence``, ``pol:extractedFrom``;
  the clause ``pol:hasPlaceholder`` it.
"""
from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from policykg.extract.figures import find_figures
from policykg.extract.modality import find_obligations
from policykg.extract.placeholders import find_placeholders
from policykg.ingest.model import Document
from policykg.ontology import POL, clause_iri
from policykg.text import label as modality_label



def _decimal(value: float) -> Literal:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return Literal(text if text not in ("", "-0") else "0", datatype=XSD.decimal)


def add_extraction_triples(graph: Graph, documents: list[Document]) -> None:
    for doc in documents:
        for clause in doc.clauses:
            c = clause_iri(doc.id, clause.number)
            where = f"{doc.meta.title} {clause.label}"
            for i, ob in enumerate(find_obligations(clause.body), start=1):
                node = URIRef(f"{c}/obligation/{i}")
                graph.add((node, RDF.type, POL.Obligation))
                graph.add((node, POL.sentence, Literal(ob.sentence, lang="zh")))
                graph.add((node, POL.modality, Literal(ob.modality)))
                if ob.party:
                    graph.add((node, POL.party, Literal(ob.party, lang="zh")))
                graph.add((node, POL.extractedFrom, c))
                graph.add((node, RDFS.label, Literal(f"{where} 义务{i}（{modality_label(ob.modality).strip('（）')}）", lang="zh")))
                graph.add((c, POL.hasObligation, node))
            for i, fig in enumerate(find_figures(clause.body), start=1):
                node = URIRef(f"{c}/figure/{i}")
                graph.add((node, RDF.type, POL.Figure))
                graph.add((node, POL.indicator, Literal(fig.indicator or fig.sentence, lang="zh")))
                graph.add((node, POL.value, _decimal(fig.value)))
                graph.add((node, POL.unit, Literal(fig.unit)))
                graph.add((node, POL.sentence, Literal(fig.sentence, lang="zh")))
                graph.add((node, POL.extractedFrom, c))
                graph.add((node, RDFS.label, Literal(f"{fig.indicator} {fig.text}", lang="zh")))
                graph.add((c, POL.hasFigure, node))
            for i, ph in enumerate(find_placeholders(clause.text), start=1):
                node = URIRef(f"{c}/placeholder/{i}")
                graph.add((node, RDF.type, POL.Placeholder))
                graph.add((node, POL.evidence, Literal(ph.evidence, lang="zh")))
                graph.add((node, POL.extractedFrom, c))
                graph.add((node, RDFS.label, Literal(f"{where} 待填空白{i}：{ph.evidence}", lang="zh")))
                graph.add((c, POL.hasPlaceholder, node))
