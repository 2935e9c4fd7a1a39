"""Documents, clauses and extracted facts → RDF (the backbone of CONTRACT.md section 5).

clause → entity → benefit → agency. Every resource gets an IRI (no blank nodes, so any SPARQL
store takes the graph by SPARQL Update) and an rdfs:label @zh (@en where the ontology or the
vocabulary gives one). Every extracted resource names the clause it came from
(pol:extractedFrom, a sub-property of prov:wasDerivedFrom) and the sentence (pol:sentence).
"""
from __future__ import annotations

import re
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from policykg.ingest.model import Document
from policykg.ontology import (CONCEPT, DOCUMENT_TYPES_FILE, ELI, ELI_IN_FORCE, ELI_NOT_IN_FORCE, ID, LANGUAGE_ZH,
                               ONTOLOGY_FILE, ORG, POL, SCHEMA, SCHEMES, amount_iri, benefit_iri, benefit_type_iri,
                               clause_iri, document_iri, expression_iri, fact_iri, mention_iri, minted_concept_iri,
                               scheme_iri)
from policykg.text import label as modality_label

PERIOD_EN = {"每人每年": "per person per year", "每人每月": "per person per month", "每年": "per year",
             "每月": "per month", "每人": "per person", "一次性": "one-off", "每家每年": "per organisation per year",
             "每季度": "per quarter", "每人每季度": "per person per quarter", "每次": "each time",
             "每人每次": "per person each time", "每家": "per organisation"}
TYPE_EN = {"money": "award or grant", "subsidy": "subsidy", "treatment": "treatment", "title": "title",
           "facility": "facility", "service": "service", "priority": "priority", "inclusion": "inclusion in a scheme"}


def new_graph() -> Graph:
    graph = Graph()
    graph.bind("pol", POL._NS)
    graph.bind("id", ID)
    graph.bind("concept", CONCEPT)
    graph.bind("dcterms", DCTERMS)
    graph.bind("skos", SKOS)
    graph.bind("prov", PROV)
    graph.bind("org", ORG)
    graph.bind("eli", ELI._NS)
    graph.bind("schema", SCHEMA._NS)
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
            graph.add((d, ELI.number, Literal(meta.number)))
        kind = document_type(graph, meta.title)
        if kind is not None:
            graph.add((d, ELI.type_document, kind))
        for issuer in meta.issuer:
            graph.add((d, POL.issuer, Literal(issuer, lang="zh")))
            graph.add((d, ELI.passed_by, organization(graph, issuer, d)))
        if meta.date:
            graph.add((d, DCTERMS.issued, Literal(meta.date)))
        for parent in meta.implements:
            graph.add((d, POL.implements, document_iri(parent)))
        if doc.preamble:
            graph.add((d, POL.preamble, Literal(doc.preamble, lang="zh")))
        if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", meta.source_url or ""):
            graph.add((d, DCTERMS.source, URIRef(meta.source_url)))
        sections = {}
        for k, section in enumerate(doc.sections, 1):
            s = ID[f"{doc.id}/section/{k}"]
            sections[k] = s
            graph.add((s, RDF.type, POL.Section))
            graph.add((s, POL.label, Literal(section.label)))
            graph.add((s, POL.title, Literal(section.title, lang="zh")))
            graph.add((s, POL.document, d))
            graph.add((s, RDF.type, ELI.LegalResourceSubdivision))
            graph.add((s, ELI.is_part_of, d))
            graph.add((s, RDFS.label, Literal(f"{meta.title} {section.label}{section.title}", lang="zh")))
        for clause in doc.clauses:
            c = clause_iri(doc.id, clause.number)
            graph.add((d, POL.hasClause, c))
            graph.add((c, RDF.type, POL.Clause))
            graph.add((c, POL.document, d))
            graph.add((c, RDF.type, ELI.LegalResourceSubdivision))
            graph.add((c, ELI.is_part_of, d))
            graph.add((c, POL.number, Literal(clause.number, datatype=XSD.integer)))
            graph.add((c, POL.label, Literal(clause.label)))
            graph.add((c, POL.title, Literal(clause.title, lang="zh")))
            graph.add((c, POL.text, Literal(clause.text, lang="zh")))
            graph.add((c, RDFS.label, Literal(f"{meta.title} {clause.label}{clause.title}", lang="zh")))
            if clause.section_label:
                graph.add((c, POL.sectionLabel, Literal(clause.section_label)))
            if clause.section in sections:  # by index: a law repeats 第一节 in every chapter
                graph.add((c, POL.section, sections[clause.section]))
            if clause.section_title:
                graph.add((c, POL.sectionTitle, Literal(clause.section_title, lang="zh")))
            for k, item in enumerate(clause.items, 1):
                i = ID[f"{doc.id}/clause/{clause.number}/item/{k}"]
                graph.add((c, POL.hasItem, i))
                graph.add((i, RDF.type, POL.Item))
                graph.add((i, RDF.type, ELI.LegalResourceSubdivision))
                graph.add((i, ELI.is_part_of, c))
                graph.add((i, POL.label, Literal(item.label)))
                graph.add((i, POL.text, Literal(item.text, lang="zh")))
                graph.add((i, RDFS.label, Literal(f"{clause.label}{item.label}", lang="zh")))
    return graph


_DRAFT_MARK = re.compile(r"[（(](?:草案|征求意见稿|送审稿|试行|暂行)[）)]\s*$")


def document_type(graph: Graph, title: str) -> URIRef | None:
    """The eli:type_document concept a title ends with (the longest notation), None if none fits."""
    title = _DRAFT_MARK.sub("", title.strip()).strip()
    best: tuple[int, URIRef] | None = None
    for concept, notation in graph.subject_objects(SKOS.notation):
        if (concept, SKOS.inScheme, CONCEPT["document-type"]) in graph and title.endswith(str(notation)):
            if best is None or len(str(notation)) > best[0]:
                best = (len(str(notation)), concept)
    return best[1] if best else None


def organization(graph: Graph, name: str, document: URIRef) -> URIRef:
    """The org:Organization of an issuer: the agency the vocabulary lists under that name, else minted."""
    label = Literal(name, lang="zh")
    for prop in (SKOS.prefLabel, SKOS.altLabel):
        for concept in graph.subjects(prop, label):
            if (concept, SKOS.inScheme, scheme_iri(SCHEMES["Agency"])) in graph:
                graph.add((concept, RDF.type, ORG.Organization))
                return concept
    iri = minted_concept_iri("Agency", name)
    _concept(graph, iri, "Agency", name, "", document)
    graph.add((iri, RDF.type, ORG.Organization))
    return iri
def add_versions(graph: Graph, documents: list[Document]) -> Graph:
    """ELI's model of each document and its version chain (policykg.versions.chain): dates as xsd:date."""
    from policykg.versions.chain import IN_FORCE, VersionIndex

    index = VersionIndex(documents)
    for doc in documents:
        d, e, v = document_iri(doc.id), expression_iri(doc.id), index.versions[doc.id]
        graph.add((d, RDF.type, ELI.LegalResource))
        graph.add((d, ELI.is_realized_by, e))
        graph.add((e, RDF.type, ELI.LegalExpression))
        graph.add((e, ELI.realizes, d))
        graph.add((e, ELI.title, Literal(doc.meta.title, lang="zh")))
        graph.add((e, RDFS.label, Literal(doc.meta.title, lang="zh")))
        graph.add((e, ELI.language, LANGUAGE_ZH))
        for term, value in ((ELI.date_document, v.date), (ELI.first_date_entry_in_force, v.in_force),
                            (ELI.date_no_longer_in_force, index.valid_until(doc.id))):
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or ""):
                graph.add((d, term, Literal(value, datatype=XSD.date)))
        if not v.draft:
            graph.add((d, ELI.in_force, ELI_IN_FORCE if index.status(doc.id) == IN_FORCE else ELI_NOT_IN_FORCE))
        for old in v.replaces:
            graph.add((d, DCTERMS.replaces, document_iri(old)))
            graph.add((document_iri(old), DCTERMS.isReplacedBy, d))
        if v.repealed_by:
            graph.add((d, ELI.repealed_by, document_iri(v.repealed_by)))
            graph.add((document_iri(v.repealed_by), ELI.repeals, d))
        if v.draft_of:
            graph.add((d, POL.draftOf, document_iri(v.draft_of)))
    return graph


def add_ontology(graph: Graph, vocab_graph: Graph | None = None) -> Graph:
    """The ontology and the SKOS vocabularies, so labels (zh/en) are queryable with the data."""
    graph.parse(ONTOLOGY_FILE, format="turtle")
    graph.parse(DOCUMENT_TYPES_FILE, format="turtle")
    if vocab_graph is not None:
        graph += vocab_graph
    return graph


def _concept(graph: Graph, iri: URIRef, kind: str, label: str, broader: str, clause: URIRef) -> None:
    """A concept the vocabulary does not list, minted from the text."""
    if (iri, RDF.type, SKOS.Concept) in graph:
        return
    graph.add((iri, RDF.type, SKOS.Concept))
    graph.add((iri, RDF.type, POL[kind]))
    graph.add((iri, SKOS.inScheme, scheme_iri(SCHEMES[kind])))
    graph.add((iri, SKOS.prefLabel, Literal(label, lang="zh")))
    graph.add((iri, RDFS.label, Literal(label, lang="zh")))
    graph.add((iri, PROV.wasDerivedFrom, clause))
    if broader:
        graph.add((iri, SKOS.broader, URIRef(broader)))


def _money(value: Decimal) -> Literal:
    return Literal(value, datatype=XSD.decimal)


def _benefit_en(b) -> str:
    text = TYPE_EN.get(b.type, b.type)
    value = b.amount if b.amount is not None else b.max_amount
    if value is not None:
        text += f" of {'up to ' if b.amount is None else ''}{value:,} yuan"
    if b.period:
        text += f" {PERIOD_EN.get(b.period, b.period)}"
    return text


def add_monetary_amount(graph: Graph, benefit: URIRef, node: URIRef, amount: Decimal | None,
                        max_amount: Decimal | None) -> None:
    """A benefit's sum as a schema:MonetaryAmount in CNY (schema:value, or schema:maxValue for 最高/不超过)."""
    graph.add((benefit, SCHEMA.amount, node))
    graph.add((node, RDF.type, SCHEMA.MonetaryAmount))
    graph.add((node, SCHEMA.currency, Literal("CNY")))
    if amount is not None:
        graph.add((node, SCHEMA.value, _money(amount)))
    if max_amount is not None:
        graph.add((node, SCHEMA.maxValue, _money(max_amount)))
    value = amount if amount is not None else max_amount
    graph.add((node, RDFS.label, Literal(f"{'最高' if amount is None else ''}{value:,} 元", lang="zh")))
    graph.add((node, RDFS.label, Literal(f"{'up to ' if amount is None else ''}{value:,} yuan", lang="en")))


def add_provenance(graph: Graph) -> Graph:
    """pol:extractedFrom also as prov:wasDerivedFrom (its super-property), for PROV-only tools."""
    for s, c in list(graph.subject_objects(POL.extractedFrom)):
        graph.add((s, PROV.wasDerivedFrom, c))
    return graph


def add_facts(graph: Graph, facts: dict) -> Graph:
    """Entities (mentions, minted concepts) and benefits of every clause."""
    for (doc_id, number), f in sorted(facts.items()):
        c = clause_iri(doc_id, number)
        for i, e in enumerate(f.entities, 1):
            concept = URIRef(e.concept)
            if not e.in_vocab:
                _concept(graph, concept, e.kind, e.label, e.broader, c)
            if e.kind == "Agency":
                graph.add((concept, RDF.type, ORG.Organization))
            graph.add((c, POL.mentions, concept))
            m = mention_iri(doc_id, number, i)
            graph.add((m, RDF.type, POL.Mention))
            graph.add((m, RDFS.label, Literal(e.label, lang="zh")))
            graph.add((m, POL.mentionOf, concept))
            graph.add((m, POL.surface, Literal(e.label, lang="zh")))
            graph.add((m, POL.sentence, Literal(f.sentence_of(e), lang="zh")))
            graph.add((m, POL.extractedFrom, c))
        for i, b in enumerate(f.benefits, 1):
            node = benefit_iri(doc_id, number, i)
            graph.add((c, POL.provides, node))
            graph.add((node, RDF.type, POL.Benefit))
            graph.add((node, RDFS.label, Literal(b.what, lang="zh")))
            graph.add((node, RDFS.label, Literal(_benefit_en(b), lang="en")))
            graph.add((node, POL.benefitType, benefit_type_iri(b.type)))
            for e in b.beneficiaries:
                graph.add((node, POL.beneficiary, URIRef(e.concept)))
            for e in b.agencies:
                graph.add((node, POL.administeredBy, URIRef(e.concept)))
            if b.amount is not None:
                graph.add((node, POL.amount, _money(b.amount)))
            if b.max_amount is not None:
                graph.add((node, POL.maxAmount, _money(b.max_amount)))
            if b.amount is not None or b.max_amount is not None:
                add_monetary_amount(graph, node, amount_iri(doc_id, number, i), b.amount, b.max_amount)
            if b.period:
                graph.add((node, POL.period, Literal(b.period, lang="zh")))
            graph.add((node, POL.sentence, Literal(b.sentence, lang="zh")))
            graph.add((node, POL.extractedFrom, c))
    return graph


def _decimal(value: float) -> Literal:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return Literal(text if text not in ("", "-0") else "0", datatype=XSD.decimal)


def _index(value: int) -> Literal:
    return Literal(value, datatype=XSD.nonNegativeInteger)


def add_clause_extractions(graph: Graph, documents: list[Document], facts: dict) -> Graph:
    """Obligations, figures and blanks of every clause (no blank nodes; IRIs `…/clause/{n}/{kind}/{i}`):

    - a ``pol:Obligation``: ``pol:sentence``, ``pol:modality`` (the modality table's names),
      ``pol:modalWord``, ``pol:party``, ``pol:action``; the clause ``pol:hasObligation`` it;
    - a ``pol:Figure``: ``pol:indicator`` @zh, ``pol:value`` xsd:decimal, ``pol:unit``,
      ``pol:comparison``, ``pol:surface`` (as written), ``pol:sentence``; the clause ``pol:hasFigure`` it;
    - a ``pol:Placeholder``: ``pol:evidence``; the clause ``pol:hasPlaceholder`` it.

    Each is ``pol:extractedFrom`` its clause and has ``pol:beginIndex``/``pol:endIndex`` in the
    clause's ``pol:text``."""
    for doc in documents:
        for clause in doc.clauses:
            f = facts.get((doc.id, clause.number))
            if f is None:
                continue
            c = clause_iri(doc.id, clause.number)
            where = f"{doc.meta.title} {clause.label}"
            shift = f.body_offset
            for i, ob in enumerate(f.obligations, start=1):
                node = fact_iri(doc.id, clause.number, "obligation", i)
                graph.add((node, RDF.type, POL.Obligation))
                graph.add((node, POL.sentence, Literal(ob.sentence, lang="zh")))
                graph.add((node, POL.modality, Literal(ob.modality)))
                if ob.marker:
                    graph.add((node, POL.modalWord, Literal(ob.marker, lang="zh")))
                if ob.party:
                    graph.add((node, POL.party, Literal(ob.party, lang="zh")))
                graph.add((node, POL.action, Literal(ob.action, lang="zh")))
                graph.add((node, POL.beginIndex, _index(shift + ob.start)))
                graph.add((node, POL.endIndex, _index(shift + ob.start + len(ob.sentence))))
                graph.add((node, POL.extractedFrom, c))
                word = modality_label(ob.modality).strip("（）")
                graph.add((node, RDFS.label, Literal(f"{where} 义务{i}（{word}）", lang="zh")))
                graph.add((c, POL.hasObligation, node))
            for i, fig in enumerate(f.figures, start=1):
                node = fact_iri(doc.id, clause.number, "figure", i)
                graph.add((node, RDF.type, POL.Figure))
                graph.add((node, POL.indicator, Literal(fig.indicator, lang="zh")))
                graph.add((node, POL.value, _decimal(fig.value)))
                graph.add((node, POL.unit, Literal(fig.unit)))
                if fig.comparison:
                    graph.add((node, POL.comparison, Literal(fig.comparison, lang="zh")))
                graph.add((node, POL.surface, Literal(fig.text, lang="zh")))
                graph.add((node, POL.sentence, Literal(fig.sentence, lang="zh")))
                graph.add((node, POL.beginIndex, _index(shift + fig.start)))
                graph.add((node, POL.endIndex, _index(shift + fig.end)))
                graph.add((node, POL.extractedFrom, c))
                graph.add((node, RDFS.label, Literal(f"{fig.indicator} {fig.text}", lang="zh")))
                graph.add((c, POL.hasFigure, node))
            for i, ph in enumerate(f.placeholders, start=1):
                node = fact_iri(doc.id, clause.number, "placeholder", i)
                graph.add((node, RDF.type, POL.Placeholder))
                graph.add((node, POL.evidence, Literal(ph.evidence, lang="zh")))
                graph.add((node, POL.beginIndex, _index(ph.start)))
                graph.add((node, POL.endIndex, _index(ph.end)))
                graph.add((node, POL.extractedFrom, c))
                graph.add((node, RDFS.label, Literal(f"{where} 待填空白{i}：{ph.evidence}", lang="zh")))
                graph.add((c, POL.hasPlaceholder, node))
    return graph


def add_alignments(graph: Graph, data: dict) -> Graph:
    """`clause pol:alignsWith parentClause` and a `pol:Alignment` resource per accepted pair of the
    alignments the check's align stage computed ({doc: {pairs: {parent: {n: [pair…]}}}})."""
    for doc_id, entry in data.items():
        for parent, per in entry["pairs"].items():
            for n, pairs in per.items():
                source = clause_iri(doc_id, int(n))
                for pair in pairs:
                    if not pair["accepted"]:
                        continue
                    target = clause_iri(parent, pair["parent_clause"])
                    node = URIRef(f"{source}/alignment/{parent}-{pair['parent_clause']}")
                    graph.add((source, POL.alignsWith, target))
                    graph.add((node, RDF.type, POL.Alignment))
                    graph.add((node, POL.source, source))
                    graph.add((node, POL.target, target))
                    graph.add((node, POL.score, Literal(f"{pair['score']:.4f}", datatype=XSD.decimal)))
                    graph.add((source, POL.alignment, node))
                    graph.add((node, RDFS.label, Literal(
                        f"{doc_id} 第{n}条款 ↔ {parent} 第{pair['parent_clause']}条款（相似度 {pair['score']:.2f}）",
                        lang="zh")))
                    graph.add((node, RDFS.label, Literal(
                        f"alignment of {doc_id} clause {n} with {parent} clause {pair['parent_clause']}", lang="en")))
    return graph


def to_graph(documents: list[Document], facts: dict) -> Graph:
    """The whole graph of a build: ontology, vocabularies, documents, clauses and their facts."""
    from policykg.extract import vocabulary_for

    graph = new_graph()
    add_ontology(graph, vocabulary_for(documents).graph)
    add_documents(graph, documents)
    add_versions(graph, documents)
    add_facts(graph, facts or {})
    add_clause_extractions(graph, documents, facts or {})
    add_provenance(graph)
    return graph


__all__ = ["new_graph", "add_documents", "add_versions", "add_ontology", "add_facts", "add_clause_extractions",
           "add_alignments", "add_provenance", "to_graph"]
