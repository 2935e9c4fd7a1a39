"""Documents and their clauses → RDF (the backbone of CONTRACT.md section 5)."""
from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Graph, Literal
from rdflib.namespace import DCTERMS

from policykg.ingest.model import Document
from policykg.ontology import ID, POL, clause_iri, document_iri


def new_graph() -> Graph:
    graph = Graph()
    graph.bind("pol", POL._NS)
    graph.bind("id", ID)
    graph.bind("dcterms", DCTERMS)
    return graph


def add_documents(graph: Graph, documents: list[Document]) -> Graph:
    for doc in documents:
        d = document_iri(doc.id)
        meta = doc.meta
        graph.add((d, RDF.type, POL.Document))
        graph.add((d, DCTERMS.identifier, Literal(doc.id)))
        graph.add((d, DCTERMS.title, Literal(meta.title, lang="zh")))
        graph.add((d, RDFS.label, Literal(meta.title, lang="zh")))
        graph.add((d, POL.level, Literal(meta.level)))
        graph.add((d, POL.status, Literal(meta.status)))
        graph.add((d, POL.textKind, Literal(meta.text)))
        if meta.region:
            graph.add((d, POL.region, Literal(meta.region, lang="zh")))
        if meta.number:
            graph.add((d, POL.documentNumber, Literal(meta.number)))
        for parent in meta.implements:
            graph.add((d, POL.implements, document_iri(parent)))
        if doc.preamble:
            graph.add((d, POL.preamble, Literal(doc.preamble, lang="zh")))
        for clause in doc.clauses:
            c = clause_iri(doc.id, clause.number)
            graph.add((d, POL.hasClause, c))
            graph.add((c, RDF.type, POL.Clause))
            graph.add((c, POL.document, d))
            graph.add((c, POL.number, Literal(clause.number, datatype=XSD.integer)))
            graph.add((c, POL.label, Literal(clause.label)))
            graph.add((c, POL.title, Literal(clause.title, lang="zh")))
            graph.add((c, POL.text, Literal(clause.text, lang="zh")))
            graph.add((c, RDFS.label, Literal(f"{meta.title} {clause.label}{clause.title}", lang="zh")))
    return graph
