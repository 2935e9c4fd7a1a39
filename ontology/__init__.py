"""Ontology terms, defined once and imported everywhere (no IRI is re-typed elsewhere).

The Turtle files beside this module (policykg.ttl, vocab/*.ttl, shapes.ttl) describe the same
terms for SPARQL users and SHACL validation.
"""
from __future__ import annotations

from pathlib import Path

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = "https://w3id.org/policykg/ontology#"
RESOURCE_IRI = "https://w3id.org/policykg/id/"
HERE = Path(__file__).resolve().parent


class POL(DefinedNamespace):
    """policykg's own terms (prefix `pol:`)."""

    _NS = Namespace(ONTOLOGY_IRI)
    _fail = True

    # classes
    Document: URIRef
    Clause: URIRef
    Section: URIRef
    Item: URIRef
    TalentCategory: URIRef
    Honor: URIRef
    Agency: URIRef
    Industry: URIRef
    Program: URIRef
    Benefit: URIRef
    Obligation: URIRef
    Figure: URIRef
    Placeholder: URIRef
    Alignment: URIRef
    Mention: URIRef
    # backbone properties (CONTRACT.md section 5)
    document: URIRef
    number: URIRef
    label: URIRef
    title: URIRef
    text: URIRef
    implements: URIRef
    mentions: URIRef
    provides: URIRef
    beneficiary: URIRef
    amount: URIRef
    maxAmount: URIRef
    administeredBy: URIRef
    alignsWith: URIRef
    # further properties
    section: URIRef
    sectionLabel: URIRef
    sectionTitle: URIRef
    preamble: URIRef
    level: URIRef
    status: URIRef
    textKind: URIRef
    region: URIRef
    issuer: URIRef
    documentNumber: URIRef
    hasClause: URIRef
    hasItem: URIRef
    period: URIRef
    benefitType: URIRef
    sentence: URIRef
    modality: URIRef
    hasObligation: URIRef
    hasFigure: URIRef
    hasPlaceholder: URIRef
    indicator: URIRef
    value: URIRef
    unit: URIRef
    alignment: URIRef
    source: URIRef
    target: URIRef
    score: URIRef
    extractedFrom: URIRef
    evidence: URIRef
    party: URIRef
    mentionOf: URIRef
    surface: URIRef
    action: URIRef
    modalWord: URIRef
    comparison: URIRef
    beginIndex: URIRef
    endIndex: URIRef
    draftOf: URIRef


class ELI(DefinedNamespace):
    """The ELI terms the graph uses for documents, their parts, versions and validity (prefix `eli:`)."""

    _NS = Namespace("http://data.europa.eu/eli/ontology#")
    _fail = True

    LegalResource: URIRef
    LegalExpression: URIRef
    LegalResourceSubdivision: URIRef
    date_document: URIRef
    first_date_entry_in_force: URIRef
    date_no_longer_in_force: URIRef
    in_force: URIRef
    repeals: URIRef
    repealed_by: URIRef
    is_realized_by: URIRef
    realizes: URIRef
    title: URIRef
    language: URIRef
    passed_by: URIRef
    type_document: URIRef
    number: URIRef
    is_part_of: URIRef
    has_part: URIRef


# eli:in_force values (the concepts of ELI's InForceTable)
ELI_IN_FORCE = ELI._NS["InForce-inForce"]
ELI_NOT_IN_FORCE = ELI._NS["InForce-notInForce"]
LANGUAGE_ZH = URIRef("http://publications.europa.eu/resource/authority/language/ZHO")


class SCHEMA(DefinedNamespace):
    """The schema.org terms of the instance data (prefix `schema:`)."""

    _NS = Namespace("http://schema.org/")
    _fail = True

    MonetaryAmount: URIRef
    value: URIRef
    maxValue: URIRef
    currency: URIRef
    amount: URIRef


ORG = Namespace("http://www.w3.org/ns/org#")
ID = Namespace(RESOURCE_IRI)


def document_iri(doc_id: str) -> URIRef:
    return ID[doc_id]


def expression_iri(doc_id: str) -> URIRef:
    """The Chinese text of a document (its eli:LegalExpression)."""
    return ID[f"{doc_id}/zh"]


def clause_iri(doc_id: str, number: int) -> URIRef:
    return ID[f"{doc_id}/clause/{number}"]


CONCEPT = Namespace(RESOURCE_IRI + "concept/")
# the prefixes of RDF output (Turtle, TriG, RDF/XML) and of the published JSON-LD @context
# (`/context.jsonld`); resource IRIs (…/id/…) stay whole, so no prefixed name needs an escape
NAMESPACES = {
    "pol": ONTOLOGY_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "schema": "http://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
}


def jsonld_context() -> dict:
    """The JSON-LD @context policykg publishes (`/context.jsonld`) and compacts its JSON-LD with."""
    return {"@context": dict(NAMESPACES)}
ONTOLOGY_FILE = HERE / "policykg.ttl"
SHAPES_FILE = HERE / "shapes.ttl"
VOCAB_DIR = HERE / "vocab"
DOCUMENT_TYPES_FILE = HERE / "document-types.ttl"  # eli:type_document values (not an entity vocabulary)
# entity kind (class name) → the concept scheme its vocabulary and minted concepts live in
SCHEMES = {"TalentCategory": "talent", "Honor": "honor", "Agency": "agency", "Industry": "industry",
           "Program": "program"}
BENEFIT_TYPE_SCHEME = "benefit-type"


def scheme_iri(name: str) -> URIRef:
    return CONCEPT[name]


def minted_concept_iri(kind: str, label: str) -> URIRef:
    """The concept IRI of an entity the vocabulary does not list (its label, percent-encoded)."""
    from urllib.parse import quote

    return CONCEPT[f"{SCHEMES[kind]}/x-{quote(label, safe='')}"]


def benefit_type_iri(notation: str) -> URIRef:
    return CONCEPT[f"{BENEFIT_TYPE_SCHEME}/{notation}"]


def benefit_iri(doc_id: str, number: int, index: int) -> URIRef:
    return ID[f"{doc_id}/clause/{number}/benefit/{index}"]


def amount_iri(doc_id: str, number: int, index: int) -> URIRef:
    """The schema:MonetaryAmount of a benefit."""
    return ID[f"{doc_id}/clause/{number}/benefit/{index}/amount"]


def mention_iri(doc_id: str, number: int, index: int) -> URIRef:
    return ID[f"{doc_id}/clause/{number}/mention/{index}"]


def fact_iri(doc_id: str, number: int, kind: str, index: int) -> URIRef:
    """An obligation, figure or placeholder of a clause: `…/clause/{n}/{kind}/{index}` (from 1)."""
    return ID[f"{doc_id}/clause/{number}/{kind}/{index}"]
