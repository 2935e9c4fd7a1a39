"""The ontology, the vocabularies, extraction on unseen wording, and SHACL validation of the built graph."""
from __future__ import annotations

import typing
from decimal import Decimal
from pathlib import Path

import pyshacl
import pytest
import rdflib
from rdflib import OWL, RDF, RDFS
from rdflib.namespace import PROV, SKOS

from policykg.extract import annotate_clause, annotate_documents
from policykg.text import find_money
from policykg.extract.vocab import load_vocabulary
from policykg.kg.rdf import to_graph
from policykg.ontology import ONTOLOGY_FILE, POL, SHAPES_FILE, VOCAB_DIR


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


@pytest.fixture(scope="module")
def vocab():
    return load_vocabulary()


def _labels(graph, node, prop=RDFS.label) -> set[str]:
    return {o.language for o in graph.objects(node, prop)}


def test_every_term_is_defined_with_zh_en_labels(ontology):
    names = [n for n in typing.get_type_hints(POL) if not n.startswith("_")]
    assert len(names) > 50
    for name in names:
        term = POL[name]
        assert (term, RDF.type, None) in ontology, name
        assert {"zh", "en"} <= _labels(ontology, term), name
        assert ontology.value(term, SKOS.definition) is not None, name
    assert (POL.extractedFrom, RDFS.subPropertyOf, PROV.wasDerivedFrom) in ontology
    assert (POL.Agency, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/org#Organization")) in ontology
    assert (POL.Clause, RDFS.subClassOf, rdflib.URIRef("http://data.europa.eu/eli/ontology#LegalResourceSubdivision")) in ontology
    assert not any(isinstance(x, rdflib.BNode) for t in ontology for x in t)
    assert (None, RDF.type, OWL.Ontology) in ontology


def test_vocabularies_are_skos_with_zh_and_en(vocab):
    graph = vocab.graph
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    assert len(concepts) > 60
    for concept in concepts:
        assert {"zh", "en"} <= _labels(graph, concept, SKOS.prefLabel), concept
        assert graph.value(concept, SKOS.inScheme) is not None, concept
    for name in ("A类顶尖人才", "E类新星人才", "一类人才", "A类人才", "嘉定工匠", "技能标兵", "技术能手", "五一劳动奖章",
                 "组织部门", "人力资源社会保障部门", "在线新经济", "创新工作室"):
        assert name in vocab.terms, name
    assert vocab.heads["补贴"] == "subsidy" and vocab.heads["奖励"] == "money"
    assert sorted(p.name for p in VOCAB_DIR.glob("*.ttl")) == [
        "agencies.ttl", "benefit-types.ttl", "honors.ttl", "industries.ttl", "programs.ttl", "talent-categories.ttl"]


@pytest.mark.parametrize("text, value, is_max, period", [
    ("给予1万元奖励", Decimal(10000), False, ""),
    ("给予最高50万元资助", Decimal(500000), True, ""),
    ("最高给予200万元购房补贴", Decimal(2000000), True, ""),
    ("给予十万元奖励", Decimal(100000), False, ""),
    ("给予每人每年5万元生活补贴", Decimal(50000), False, "每人每年"),
    ("每月3000元租房补贴", Decimal(3000), False, "每月"),
    ("一次性安家补贴1.5万元", Decimal(15000), False, "一次性"),
    ("补贴不超过3,000元/月", Decimal(3000), True, "每月"),
    ("奖励金额20万元以内", Decimal(200000), True, ""),
    ("生活补贴5000元/人/年", Decimal(5000), False, "每人每年"),
    ("每年每人补贴2万元", Decimal(20000), False, "每人每年"),
])
def test_amounts(text, value, is_max, period):
    (money,) = find_money(text)
    assert (money.value, money.is_max, money.period) == (value, is_max, period)


def _benefits(text: str, vocab):
    facts = annotate_clause("unseen", 1, text, vocab)
    return facts, [(b.what, b.type, b.amount, b.max_amount, b.period, sorted(e.label for e in b.beneficiaries),
                    sorted(e.label for e in b.agencies)) for b in facts.benefits]


def test_unseen_article_wording(vocab):
    facts, got = _benefits(
        "对获评“金牌工匠”称号的，一次性奖励2万元，所需资金由县财政局承担；对新认定的第一类人才，"
        "每人每月给予3000元生活补贴，最长不超过24个月。", vocab)
    assert ("奖励", "money", Decimal(20000), None, "一次性", ["金牌工匠"], ["县财政局"]) in got
    assert ("生活补贴", "subsidy", Decimal(3000), None, "每人每月", ["第一类人才"]) in [g[:6] for g in got]
    tier = next(e for e in facts.entities if e.label == "第一类人才")
    assert tier.concept == vocab.terms["一类人才"].concept and tier.tier
    honor = next(e for e in facts.entities if e.label == "金牌工匠")
    assert honor.kind == "Honor" and not honor.in_vocab and "/concept/honor/" in honor.concept
    agency = next(e for e in facts.entities if e.label == "县财政局")
    assert agency.kind == "Agency" and agency.broader == vocab.terms["财政部门"].concept


def test_unseen_tier_page_wording(vocab):
    _, got = _benefits("A类人才最高给予200万元购房补贴，B类人才最高给予100万元，C类人才给予十万元。"
                       "C类人才可按每月2000元申领租房补贴，由区人力资源和社会保障局负责发放。", vocab)
    assert ("购房补贴", "subsidy", None, Decimal(2000000), "", ["A类人才"]) in [g[:6] for g in got]
    assert ("购房补贴", "subsidy", None, Decimal(1000000), "", ["B类人才"]) in [g[:6] for g in got]
    assert ("购房补贴", "subsidy", Decimal(100000), None, "", ["C类人才"]) in [g[:6] for g in got]
    rent = [g for g in got if g[0] == "租房补贴"]
    assert rent and rent[0][2:6] == (Decimal(2000), None, "每月", ["C类人才"])
    assert rent[0][6] == ["区人力资源和社会保障局"]


@pytest.mark.parametrize("text, expected", [
    ("A类、B类、C类人才分别给予100万元、50万元、30万元安家补贴。",
     [("安家补贴", Decimal(1000000), "A类"), ("安家补贴", Decimal(500000), "B类"), ("安家补贴", Decimal(300000), "C类人才")]),
    ("评选“临江工匠”。对获评者给予每人5万元奖励。", [("奖励", Decimal(50000), "临江工匠")]),
    ("A类人才：安家补贴100万元；B类人才：安家补贴60万元。",
     [("安家补贴", Decimal(1000000), "A类人才"), ("安家补贴", Decimal(600000), "B类人才")]),
    ("博士研究生每人每年给予生活补贴3万元，硕士研究生每人每年给予生活补贴1万元。",
     [("生活补贴", Decimal(30000), "博士研究生"), ("生活补贴", Decimal(10000), "硕士研究生")]),
    ("对新引进的顶尖人才，给予最高500万元安家补贴。", [("安家补贴", Decimal(5000000), "顶尖人才")]),
    ("对新引进的博士研究生，给予每人每年3万元生活补贴；硕士研究生每人每年1.5万元。",
     [("生活补贴", Decimal(30000), "博士研究生"), ("生活补贴", Decimal(15000), "硕士研究生")]),
    ("获得“市首席技师”称号的，给予2万元奖励。", [("奖励", Decimal(20000), "市首席技师")]),
    ("对符合条件的一类人才，每月发放人才津贴2000元。", [("人才津贴", Decimal(2000), "一类人才")]),
    ("安家补贴标准如下：\nA类人才 100万元\nB类人才 60万元\n",
     [("安家补贴", Decimal(1000000), "A类人才"), ("安家补贴", Decimal(600000), "B类人才")]),
])
def test_who_gets_how_much(vocab, text, expected):
    facts = annotate_clause("unseen", 1, text, vocab)
    got = [(b.what, b.amount if b.amount is not None else b.max_amount, e.label)
           for b in facts.benefits for e in b.beneficiaries]
    assert got == expected


def test_funds_sentence_names_the_agencies(vocab):
    facts = annotate_clause("unseen", 1, "新建省级技能大师工作室的，给予最高10万元补助。"
                            "补助资金由县人力资源和社会保障局会同县财政局审核拨付。", vocab)
    (grant,) = facts.benefits
    assert grant.max_amount == Decimal(100000)
    assert [e.label for e in grant.beneficiaries] == ["省级技能大师工作室"]
    assert [e.label for e in grant.agencies] == ["县人力资源和社会保障局", "县财政局"]


def test_agency_after_you(vocab):
    facts = annotate_clause("unseen", 1, "入选“万人计划”的，给予一次性奖励10万元，奖励资金由区财政列支。", vocab)
    (award,) = facts.benefits
    assert (award.amount, award.period, [e.label for e in award.agencies]) == (Decimal(100000), "一次性", ["区财政"])


def test_entities_the_vocabulary_does_not_list(vocab):
    facts = annotate_clause("unseen", 1, "鼓励企业建设数字技能实训基地，由区科学技术委员会会同各街道组织实施。"
                            "对入选“东海名匠”的，给予最高20万元资助。将X类英才人才纳入人才公寓保障范围。", vocab)
    kinds = {(e.label, e.kind) for e in facts.entities}
    assert ("数字技能实训基地", "Program") in kinds
    assert ("区科学技术委员会", "Agency") in kinds
    assert ("街道", "Agency") in kinds
    assert ("东海名匠", "Honor") in kinds


def test_enumerated_agencies_get_their_names(vocab):
    facts = annotate_clause("unseen", 1, "发展改革、财政、税务等部门要加强协作。", vocab)
    assert {e.label for e in facts.entities if e.kind == "Agency"} == {"发展改革部门", "财政部门", "税务部门"}


def test_vocabulary_is_data(tmp_path):
    """A corpus folder's own vocab.ttl adds names with no code change."""
    (tmp_path / "vocab.ttl").write_text("""
        @prefix pol: <https://w3id.org/policykg/ontology#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://example.org/concept/silver> a skos:Concept , pol:TalentCategory ;
            skos:inScheme <https://w3id.org/policykg/id/concept/talent> ;
            skos:prefLabel "银龄专家"@zh , "silver-age expert"@en .
        """, encoding="utf-8")
    text = "支持银龄专家发挥作用，对其给予每人每年1万元补贴。"
    plain = annotate_clause("x", 1, text, load_vocabulary())
    assert "银龄专家" not in {e.label for e in plain.entities}
    extended = annotate_clause("x", 1, text, load_vocabulary((tmp_path,)))
    (silver,) = [e for e in extended.entities if e.label == "银龄专家"]
    assert silver.concept == "https://example.org/concept/silver"
    assert [e.label for e in extended.benefits[0].beneficiaries] == ["银龄专家"]


def test_graph_has_no_blank_nodes_and_benefit_iris(kg):
    facts = annotate_documents(kg.documents())
    graph = to_graph(kg.documents(), facts)
    assert not any(isinstance(x, rdflib.BNode) for t in graph for x in t)
    benefit = rdflib.URIRef("https://w3id.org/policykg/id/linhai-measures/clause/4/benefit/1")
    assert (benefit, RDF.type, POL.Benefit) in graph
    assert {o.language for o in graph.objects(benefit, RDFS.label)} == {"zh", "en"}
    assert str(graph.value(benefit, POL.sentence)).startswith("对新引进的一类人才")


@pytest.fixture(scope="module")
def built_graph(kg) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=kg.export("nt"), format="nt")
    return graph


def _validate(graph):
    shapes = rdflib.Graph().parse(SHAPES_FILE, format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, inference="none", allow_warnings=True)
    return conforms, text


def test_built_graph_validates(built_graph):
    conforms, text = _validate(built_graph)
    assert conforms, text[:3000]
    for cls in (POL.Document, POL.Clause, POL.Benefit, POL.Mention, POL.TalentCategory, POL.Honor, POL.Agency,
                POL.Industry, POL.Program):
        assert (None, RDF.type, cls) in built_graph, cls


def test_shapes_catch_a_broken_benefit(built_graph):
    broken = rdflib.Graph()
    broken += built_graph
    benefit = next(built_graph.subjects(RDF.type, POL.Benefit))
    broken.remove((benefit, RDFS.label, None))
    broken.add((benefit, POL.amount, rdflib.Literal("一万元")))
    conforms, text = _validate(broken)
    assert not conforms
    assert "rdfs:label in Chinese" in text and "amount" in text


def test_corpus_facts_in_the_build(kg):
    """The issue's expected facts, read back from the extraction the build ran."""
    facts = annotate_documents([kg.document("jiading-draft")])
    ten = facts[("jiading-draft", 10)]
    awards = [b for b in ten.benefits if b.max_amount == Decimal(10000)]
    assert awards and {"嘉定工匠", "技能标兵", "技术能手"} <= {e.label for e in awards[0].beneficiaries}
    assert any(b.what == "创新工作室" and b.type == "facility" for b in ten.benefits)
    lifetime = [b for b in ten.benefits if b.max_amount == Decimal(100000)]
    assert [e.label for e in lifetime[0].beneficiaries] == ["嘉定工匠终身成就奖"]
    fourteen = {e.label for e in facts[("jiading-draft", 14)].entities if e.kind == "Agency"}
    assert {"组织部门", "人力资源社会保障部门"} <= fourteen


def test_vocab_folder_is_shipped():
    assert Path(SHAPES_FILE).is_file() and Path(ONTOLOGY_FILE).is_file()
