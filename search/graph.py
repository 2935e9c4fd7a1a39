"""Graph signals for retrieval and answers: benefits and their beneficiaries (CONTRACT §5).

Loaded once per process from the store: every `clause pol:provides benefit`, with the benefit's
label, sentence, beneficiaries (and the concepts those are narrower than, through
`skos:broader`), amounts and agencies. A question that names a category or an honour then
finds the clauses and sentences that grant something to it (the benefit lookup).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from policykg.ontology import POL


@dataclass
class BenefitRow:
    key: tuple[str, int]
    iri: str
    label: str
    sentence: str
    beneficiaries: set[str] = field(default_factory=set)  # beneficiary IRIs and what they are narrower than
    amount: str | None = None
    max_amount: str | None = None
    agencies: set[str] = field(default_factory=set)


def load_benefits(store) -> list[BenefitRow]:
    query = f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?doc ?n ?b ?label ?sentence ?e ?broader ?amount ?max ?agency WHERE {{
          ?c <{POL.provides}> ?b ; <{POL.document}> ?d ; <{POL.number}> ?n .
          ?d dcterms:identifier ?doc .
          OPTIONAL {{ ?b rdfs:label ?label FILTER(LANG(?label) = "zh") }}
          OPTIONAL {{ ?b <{POL.sentence}> ?sentence }}
          OPTIONAL {{ ?b <{POL.beneficiary}> ?e . OPTIONAL {{ ?e skos:broader ?broader }} }}
          OPTIONAL {{ ?b <{POL.amount}> ?amount }}
          OPTIONAL {{ ?b <{POL.maxAmount}> ?max }}
          OPTIONAL {{ ?b <{POL.administeredBy}> ?agency }}
        }}"""
    rows = store.select(query)  # a failing graph raises: never 0 benefits by accident
    out: dict[str, BenefitRow] = {}
    for row in rows:
        iri = str(row["b"])
        item = out.get(iri)
        if item is None:
            item = out[iri] = BenefitRow(key=(str(row["doc"]), int(row["n"])), iri=iri,
                                         label=str(row.get("label") or ""), sentence=str(row.get("sentence") or ""))
        for name in ("e", "broader"):
            if row.get(name):
                item.beneficiaries.add(str(row[name]))
        if row.get("agency"):
            item.agencies.add(str(row["agency"]))
        if row.get("amount") is not None:
            item.amount = str(row["amount"])
        if row.get("max") is not None:
            item.max_amount = str(row["max"])
    return list(out.values())

