"""What the graph says around a clause or an entity, read by SPARQL through the facade.

Clause → entities it mentions, benefits it provides (amount, beneficiary, agency), and its
alignments (pol:alignsWith, with the score of the pol:Alignment node when there is one), in
both directions. Terms come from `policykg.ontology`, never re-typed IRIs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from policykg.errors import InputError, NotFound
from policykg.ontology import POL, clause_iri

POL_NS = str(POL._NS)


def _iri(term: Any) -> str:
    return f"<{term}>"


def _safe_iri(iri: str) -> str:
    if not iri or any(ch in iri for ch in '<>"{}|\\^` \n\r\t') or ":" not in iri:
        raise InputError(f"not an IRI: {iri[:80]!r}")
    return f"<{iri}>"


def local_name(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def labels(store, iris: list[str]) -> dict[str, str]:
    """The best label of each IRI (rdfs:label or skos:prefLabel; Chinese, then untagged, then any)."""
    if not iris:
        return {}
    values = " ".join(_safe_iri(i) for i in dict.fromkeys(iris))
    rows = store.select(f"""
        SELECT ?s ?l (LANG(?l) AS ?lang) WHERE {{
          VALUES ?s {{ {values} }}
          {{ ?s {_iri(RDFS.label)} ?l }} UNION {{ ?s {_iri(SKOS.prefLabel)} ?l }}
        }}""")
    rank = {"zh": 0, "": 1, "en": 2}
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        r = rank.get(str(row["lang"] or "").split("-")[0], 3)
        if row["s"] not in best or r < best[row["s"]][0]:
            best[row["s"]] = (r, str(row["l"]))
    return {iri: best[iri][1] if iri in best else local_name(iri) for iri in iris}


def _types(store, iris: list[str]) -> dict[str, list[str]]:
    if not iris:
        return {}
    values = " ".join(_safe_iri(i) for i in dict.fromkeys(iris))
    rows = store.select(f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s {_iri(RDF.type)} ?t }}")
    out: dict[str, list[str]] = {i: [] for i in iris}
    for row in rows:
        if str(row["t"]).startswith(POL_NS):
            out.setdefault(row["s"], []).append(local_name(str(row["t"])))
    return out


def entities(store, iris: list[str]) -> list[dict[str, Any]]:
    iris = list(dict.fromkeys(iris))
    names, kinds = labels(store, iris), _types(store, iris)
    return [{"iri": i, "label": names[i], "types": sorted(kinds.get(i, []))} for i in iris]


def clause_keys(store, iris: list[str]) -> dict[str, tuple[str, int]]:
    """Clause IRI → (document id, number), for the IRIs that are clauses of the store."""
    if not iris:
        return {}
    values = " ".join(_safe_iri(i) for i in dict.fromkeys(iris))
    rows = store.select(f"""
        SELECT ?c ?id ?n WHERE {{ VALUES ?c {{ {values} }}
          ?c {_iri(POL.number)} ?n ; {_iri(POL.document)} ?d . ?d {_iri(DCTERMS.identifier)} ?id }}""")
    return {row["c"]: (str(row["id"]), int(row["n"])) for row in rows}


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(Decimal(str(value)))
    except Exception:
        return None


def benefits(store, clause: str) -> list[dict[str, Any]]:
    rows = store.select(f"""
        SELECT ?b ?p ?o WHERE {{
          {_iri(clause)} {_iri(POL.provides)} ?b .
          OPTIONAL {{ ?b ?p ?o FILTER(?p IN ({_iri(POL.amount)}, {_iri(POL.maxAmount)}, {_iri(POL.beneficiary)},
                                             {_iri(POL.administeredBy)}, {_iri(POL.benefitType)})) }}
        }}""")
    found: dict[str, dict[str, Any]] = {}
    for row in rows:
        b = found.setdefault(row["b"], {"iri": row["b"], "type": None, "amount": None, "max_amount": None,
                                        "beneficiaries": [], "agencies": []})
        p, o = str(row["p"] or ""), row["o"]
        if p == str(POL.amount):
            b["amount"] = _number(o)
        elif p == str(POL.maxAmount):
            b["max_amount"] = _number(o)
        elif p == str(POL.beneficiary):
            b["beneficiaries"].append(str(o))
        elif p == str(POL.administeredBy):
            b["agencies"].append(str(o))
        elif p == str(POL.benefitType) and o is not None:
            b["type"] = local_name(str(o))
    related = [i for b in found.values() for i in b["beneficiaries"] + b["agencies"]]
    details = {e["iri"]: e for e in entities(store, related)}
    names = labels(store, list(found))
    for b in found.values():
        b["label"] = names[b["iri"]]
        b["beneficiaries"] = [details[i] for i in dict.fromkeys(b["beneficiaries"])]
        b["agencies"] = [details[i] for i in dict.fromkeys(b["agencies"])]
    return list(found.values())


def alignments(store, clause: str) -> list[dict[str, Any]]:
    """Aligned clauses both ways, best first: (direction, score, (doc, number))."""
    rows = store.select(f"""
        SELECT ?other ?dir (MAX(?s) AS ?score) WHERE {{
          {{ {_iri(clause)} {_iri(POL.alignsWith)} ?other BIND("parent" AS ?dir) }}
          UNION {{ ?other {_iri(POL.alignsWith)} {_iri(clause)} BIND("child" AS ?dir) }}
          UNION {{ ?a {_iri(POL.source)} {_iri(clause)} ; {_iri(POL.target)} ?other BIND("parent" AS ?dir) }}
          UNION {{ ?a {_iri(POL.target)} {_iri(clause)} ; {_iri(POL.source)} ?other BIND("child" AS ?dir) }}
          OPTIONAL {{ ?a2 {_iri(POL.score)} ?s .
                     {{ ?a2 {_iri(POL.source)} {_iri(clause)} ; {_iri(POL.target)} ?other }}
                     UNION {{ ?a2 {_iri(POL.source)} ?other ; {_iri(POL.target)} {_iri(clause)} }} }}
        }} GROUP BY ?other ?dir""")
    keys = clause_keys(store, [r["other"] for r in rows])
    out = []
    for row in rows:
        if row["other"] in keys:
            out.append({"direction": str(row["dir"]), "score": _number(row["score"]), "key": keys[row["other"]]})
    out.sort(key=lambda a: (a["direction"] != "parent", -(a["score"] or 0.0)))
    return out


def clause_detail(store, doc_id: str, number: int) -> dict[str, Any]:
    """The clause reference plus items, entities, benefits and alignments (the API's ClauseDetail)."""
    clause = store.clause(doc_id, number)
    iri = str(clause_iri(doc_id, number))
    mentioned = [r["e"] for r in store.select(f"SELECT ?e WHERE {{ {_iri(iri)} {_iri(POL.mentions)} ?e }}")]
    aligned = []
    for a in alignments(store, iri):
        try:
            other = store.clause(*a["key"])
        except NotFound:
            continue
        aligned.append({"direction": a["direction"], "score": a["score"], "clause": store.clause_ref(other)})
    return {
        **store.clause_ref(clause),
        "section_label": clause.section_label, "section_title": clause.section_title,
        "items": [{"label": i.label, "text": i.text} for i in clause.items],
        "entities": entities(store, mentioned),
        "benefits": benefits(store, iri),
        "alignments": aligned,
    }


@dataclass
class EntityView:
    iri: str
    label: str
    types: list[str]
    clauses: list[tuple[str, int]] = field(default_factory=list)  # clauses that mention it
    benefits: list[dict[str, Any]] = field(default_factory=list)  # benefits it receives or administers


def entity_detail(store, iri: str) -> EntityView:
    """An entity: its label, kinds, the clauses that mention it and the benefits it is part of."""
    _safe_iri(iri)
    info = entities(store, [iri])[0]
    rows = store.select(f"SELECT ?c WHERE {{ ?c {_iri(POL.mentions)} <{iri}> }}")
    ben_rows = store.select(f"""
        SELECT DISTINCT ?c ?b ?role WHERE {{
          {{ ?b {_iri(POL.beneficiary)} <{iri}> BIND("beneficiary" AS ?role) }}
          UNION {{ ?b {_iri(POL.administeredBy)} <{iri}> BIND("agency" AS ?role) }}
          OPTIONAL {{ ?c {_iri(POL.provides)} ?b }} }}""")
    if not rows and not ben_rows and not info["types"]:
        raise NotFound(f"no entity {iri} in the graph")
    keys = clause_keys(store, [r["c"] for r in rows] + [r["c"] for r in ben_rows if r["c"]])
    names = labels(store, [r["b"] for r in ben_rows])
    view = EntityView(iri=iri, label=info["label"], types=info["types"])
    view.clauses = sorted({keys[r["c"]] for r in rows if r["c"] in keys})
    view.benefits = [{"iri": r["b"], "label": names[r["b"]], "role": str(r["role"]),
                      "clause": keys.get(r["c"]) if r["c"] else None} for r in ben_rows]
    return view
