"""The graph facts behind an answer: what the cited clauses mention and provide (CONTRACT §5)."""
from __future__ import annotations

from policykg.ontology import POL, clause_iri

_LIMIT = 20


def facts_for(store, query, keys: list[tuple[str, int]]) -> list[dict]:
    """Triples (as labels where the graph has them) about the answering clauses: the entities
    they mention that the question names, and the benefits they provide (beneficiary, amount,
    agency)."""
    facts: list[dict] = []
    linked = {iri for c in query.linked.concepts for iri in c.iris}
    linked_zh = {lab for c in query.linked.concepts for lab in c.zh}
    for key in keys:
        c = str(clause_iri(*key))
        rows = store.select(f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?e ?label WHERE {{ <{c}> <{POL.mentions}> ?e .
              OPTIONAL {{ ?e rdfs:label ?label FILTER(LANG(?label) = "zh" || LANG(?label) = "") }} }}""")
        for row in rows:
            e, label = str(row["e"]), row.get("label")
            if e in linked or (label and str(label) in linked_zh):
                facts.append({"subject": c, "predicate": str(POL.mentions), "object": str(label or e)})
        rows = store.select(f"""
            PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
            SELECT ?b ?blabel ?p ?o ?olabel WHERE {{ <{c}> <{POL.provides}> ?b .
              OPTIONAL {{ ?b rdfs:label ?blabel FILTER(LANG(?blabel) = "zh" || LANG(?blabel) = "") }}
              ?b ?p ?o . VALUES ?p {{ <{POL.beneficiary}> <{POL.amount}> <{POL.maxAmount}> <{POL.administeredBy}> }}
              OPTIONAL {{ ?o rdfs:label ?olabel FILTER(LANG(?olabel) = "zh" || LANG(?olabel) = "") }} }}""")
        provided = set()
        for row in rows:
            b = str(row["b"])
            if b not in provided:
                provided.add(b)
                facts.append({"subject": c, "predicate": str(POL.provides), "object": str(row.get("blabel") or b)})
            facts.append({"subject": str(row.get("blabel") or b), "predicate": str(row["p"]),
                          "object": str(row.get("olabel") or row["o"])})
    unique = []
    for f in facts:
        if f not in unique:
            unique.append(f)
    return unique[:_LIMIT]
