"""The extracted facts the check works on, read back from the graph (never re-extracted from text).

The build's extract stage finds every clause's obligations, figures and blanks
(:mod:`policykg.extract`) and kg/rdf.py mints them; :func:`clause_facts` selects them for the
documents a check needs and rebuilds the extraction results (offsets, the figure as written,
the context a figure is compared in) from the triples and the clause texts.
"""
from __future__ import annotations

from policykg.errors import PolicyKGError
from policykg.extract import ClauseFacts
from policykg.extract.figures import Figure
from policykg.extract.modality import Obligation
from policykg.extract.placeholders import Placeholder
from policykg.ingest.model import Document
from policykg.ontology import POL, RESOURCE_IRI, document_iri

_OBLIGATIONS = """SELECT ?c ?x ?sentence ?modality ?word ?party ?action ?begin WHERE {{
  VALUES ?d {{ {docs} }}
  ?c <{document}> ?d ; <{has}> ?x .
  ?x <{sentence}> ?sentence ; <{modality}> ?modality ; <{begin}> ?begin .
  OPTIONAL {{ ?x <{word}> ?word }} OPTIONAL {{ ?x <{party}> ?party }} OPTIONAL {{ ?x <{action}> ?action }}
}}"""
_FIGURES = """SELECT ?c ?x ?indicator ?value ?unit ?comparison ?surface ?sentence ?begin ?end WHERE {{
  VALUES ?d {{ {docs} }}
  ?c <{document}> ?d ; <{has}> ?x .
  ?x <{indicator}> ?indicator ; <{value}> ?value ; <{sentence}> ?sentence ; <{begin}> ?begin ; <{end}> ?end .
  OPTIONAL {{ ?x <{unit}> ?unit }} OPTIONAL {{ ?x <{comparison}> ?comparison }} OPTIONAL {{ ?x <{surface}> ?surface }}
}}"""
_PLACEHOLDERS = """SELECT ?c ?x ?evidence ?begin ?end WHERE {{
  VALUES ?d {{ {docs} }}
  ?c <{document}> ?d ; <{has}> ?x .
  ?x <{evidence}> ?evidence ; <{begin}> ?begin ; <{end}> ?end .
}}"""


_OLD = """SELECT ?x WHERE {{ {{ ?x a <{obligation}> }} UNION {{ ?x a <{figure}> }} UNION {{ ?x a <{placeholder}> }}
  FILTER NOT EXISTS {{ ?x <{begin}> ?b }} }} LIMIT 1"""


def _key(iri: object) -> tuple[str, int]:
    doc, _, number = str(iri)[len(RESOURCE_IRI):].rpartition("/clause/")
    return doc, int(number)


def _order(iri: object) -> int:
    return int(str(iri).rsplit("/", 1)[1])


def _text(value: object) -> str:
    return "" if value is None else str(value)


def clause_facts(kg, documents: list[Document]) -> dict[tuple[str, int], ClauseFacts]:
    """Obligations, figures and blanks of every clause of `documents`, in clause order, from the
    graph of `kg` (anything with ``select``); an error of the graph is raised, never hidden."""
    out: dict[tuple[str, int], ClauseFacts] = {}
    clauses = {}
    for doc in documents:
        for c in doc.clauses:
            clauses[c.key] = c
            out[c.key] = ClauseFacts(doc.id, c.number, body_offset=len(c.text) - len(c.body))
    if not documents:
        return out
    docs = " ".join(f"<{document_iri(d.id)}>" for d in documents)
    terms = {name: getattr(POL, name) for name in (
        "document", "sentence", "modality", "party", "action", "indicator", "value", "unit", "comparison",
        "surface", "evidence")}
    terms.update(begin=POL.beginIndex, end=POL.endIndex, word=POL.modalWord)

    old = _OLD.format(obligation=POL.Obligation, figure=POL.Figure, placeholder=POL.Placeholder, begin=POL.beginIndex)
    if kg.select(old):
        raise PolicyKGError("this store was built by an older policykg (its obligations and figures have no "
                            "offsets): build it again with `policykg build`")
    rows = kg.select(_OBLIGATIONS.format(docs=docs, has=POL.hasObligation, **terms))
    for row in sorted(rows, key=lambda r: (_key(r["c"]), _order(r["x"]))):
        f = out.get(_key(row["c"]))
        if f is None:
            continue
        f.obligations.append(Obligation(
            sentence=_text(row["sentence"]), modality=_text(row["modality"]), party=_text(row.get("party")),
            action=_text(row.get("action")), marker=_text(row.get("word")), start=int(row["begin"]) - f.body_offset))

    rows = kg.select(_FIGURES.format(docs=docs, has=POL.hasFigure, **terms))
    for row in sorted(rows, key=lambda r: (_key(r["c"]), _order(r["x"]))):
        key = _key(row["c"])
        f = out.get(key)
        if f is None:
            continue
        begin, end = int(row["begin"]), int(row["end"])
        sentence = _text(row["sentence"])
        raw = clauses[key].text[begin:end]
        f.figures.append(Figure(
            indicator=_text(row["indicator"]), value=float(row["value"]), unit=_text(row.get("unit")),
            comparison=_text(row.get("comparison")), text=_text(row.get("surface")) or raw, sentence=sentence,
            start=begin - f.body_offset, end=end - f.body_offset, context=sentence.replace(raw, "")))

    rows = kg.select(_PLACEHOLDERS.format(docs=docs, has=POL.hasPlaceholder, **terms))
    for row in sorted(rows, key=lambda r: (_key(r["c"]), _order(r["x"]))):
        f = out.get(_key(row["c"]))
        if f is not None:
            f.placeholders.append(Placeholder("", int(row["begin"]), int(row["end"]), _text(row["evidence"])))
    return out
