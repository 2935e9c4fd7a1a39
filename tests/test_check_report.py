"""Check reports: a finding kind registered from outside renders in every report, and every
report escapes the document's text (a hostile draft of our own, built into its own store)."""
from __future__ import annotations

import json
import re

import pytest

MANIFEST = """[[document]]
id = "hostile-draft"
title = "<script>alert(1)</script>测试草案"
level = "district"
region = "测试区"
issuer = ["测试区人民政府"]
number = ""
date = "2026-01-01"
status = "draft"
text = "full"
file = "hostile.txt"
source_url = ""
implements = []
"""
TEXT = """<script>alert(1)</script>测试草案

（一）目标任务。到2027年，建设<img onerror=1>台 家，开展[链接](javascript:alert(1))试点。
（二）工作要求。各部门要加强协作，<b onmouseover=alert(1)>落实</b>本意见各项要求。
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from policykg.app import PolicyKG

    root = tmp_path_factory.mktemp("hostile")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (corpus / "hostile.txt").write_text(TEXT, encoding="utf-8")
    kg = PolicyKG(store=str(root / "kg"))
    kg.build([corpus])
    return kg


def test_markdown_report_escapes_document_text(hostile):
    from policykg.check.report import to_markdown

    result = hostile.check("hostile-draft")
    assert any(f["kind"] == "placeholder" for f in result["findings"])
    md = to_markdown(hostile, result)
    assert "<script" not in md and "<img" not in md and "<b " not in md
    assert "&lt;script&gt;" in md and "&lt;img onerror=1&gt;" in md
    assert "](javascript:" not in md  # no live link either


def test_every_report_escapes_document_text(hostile):
    from policykg.check.report import to_html, to_text

    result = hostile.check("hostile-draft")
    page = to_html(hostile, result)
    assert not re.search(r"<(script|img|b)\b", page)
    assert "<script" not in json.dumps(result, ensure_ascii=False).replace("<script>alert(1)</script>测试草案", "")
    assert "测试草案" in to_text(hostile, result)


def test_a_registered_finding_kind_renders_in_every_report(hostile):
    from toy_kind import PILOT

    from policykg.check import kinds
    from policykg.check.report import to_html, to_markdown, to_text

    kinds.register(PILOT)
    try:
        result = hostile.check("hostile-draft")
        [pilot] = [f for f in result["findings"] if f["kind"] == "pilot_scheme"]
        assert pilot["clause"] == 1 and pilot["severity"] == "low"  # the kind's default severity
        assert json.loads(json.dumps(result, ensure_ascii=False))["findings"]
        md, page, text = to_markdown(hostile, result), to_html(hostile, result), to_text(hostile, result)
        assert "| 低 | 试点安排 |" in md
        assert "试点安排" in page and "试点安排" in text
    finally:
        kinds.unregister("pilot_scheme")
    assert not any(f["kind"] == "pilot_scheme" for f in hostile.check("hostile-draft")["findings"])


def test_an_unknown_kind_does_not_crash_the_reports(hostile):
    from policykg.check.report import to_html, to_markdown, to_text

    result = hostile.check("hostile-draft")
    result["findings"].append({"kind": "from_a_newer_version", "severity": "medium", "clause": 2,
                               "parent_document": None, "parent_clause": None, "message": "新类型",
                               "evidence": {"text": "", "parent_text": ""}})
    assert "from\\_a\\_newer\\_version" in to_markdown(hostile, result)  # its name, escaped
    assert "from_a_newer_version" in to_html(hostile, result) and "from_a_newer_version" in to_text(hostile, result)


def test_a_store_built_before_the_facts_moved_is_told_to_rebuild(hostile):
    from rdflib import RDF, Graph, URIRef

    from policykg.check.facts import clause_facts
    from policykg.errors import PolicyKGError
    from policykg.ontology import POL

    old = Graph()
    old.add((URIRef("https://w3id.org/policykg/id/hostile-draft/clause/1/obligation/1"), RDF.type, POL.Obligation))

    class OldGraph:  # a graph as an older build wrote it: obligations without offsets
        select = staticmethod(lambda q: [{k: v for k, v in r.asdict().items()} for r in old.query(q)])

    with pytest.raises(PolicyKGError, match="build it again"):
        clause_facts(OldGraph(), [hostile.document("hostile-draft")])
    assert clause_facts(hostile.store, [hostile.document("hostile-draft")])  # a current store reads fine
