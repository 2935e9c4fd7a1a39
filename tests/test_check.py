"""The consistency check: alignments, findings of every kind, graph triples and reports.

Runs on the real store (the Jiading draft against the national opinion and the Shanghai digest)
and on a test corpus of our own (tests/data/checkdoc): a 第N条 measure implementing the national
opinion with a changed figure, a softened and a strengthened duty, a dropped obligation and a
blank; and a （一）-numbered notice whose second parent is in no corpus.
"""
from __future__ import annotations

import json
import re

import pytest

from conftest import DATA, SHARED

DEV = json.loads((SHARED / "eval" / "check-dev.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def draft(kg):
    return kg.check("jiading-draft")


@pytest.fixture(scope="module")
def own_kg(tmp_path_factory, corpus_dirs):
    """A store of the real corpus plus our check test corpus."""
    from policykg.app import PolicyKG

    folder = tmp_path_factory.mktemp("checkstore") / "kg"
    kg = PolicyKG(store=str(folder))
    report = kg.build(corpus_dirs + [DATA / "checkdoc"])
    assert any("yuxi-city-2024" in w for w in report.warnings)
    return kg


@pytest.fixture(scope="module")
def fenghua(own_kg):
    return own_kg.check("fenghua-measures")


def kinds_on(result, clause):
    return {f["kind"] for f in result["findings"] if f["clause"] == clause}


def top3(result, clause, parent):
    rows = [a for a in result["alignments"] if a["clause"] == clause and a["parent_document"] == parent]
    return [a["parent_clause"] for a in rows[:3]]


# -- the development cases --------------------------------------------------------------------------
def test_dev_cases(kg):
    result = kg.check(DEV["document"])
    for clause, parent, parent_clause in DEV["align_top3"]:
        assert parent_clause in top3(result, clause, parent)
    for case in DEV["must_find"]:
        assert case["kind"] in kinds_on(result, case["clause"]), case
    for case in DEV["must_not_find"]:
        assert case["kind"] not in kinds_on(result, case["clause"]), case
    uncovered = {(f["parent_document"], f["parent_clause"]) for f in result["findings"] if f["kind"] == "not_covered"}
    for parent, parent_clause in DEV["not_covered_includes"]:
        assert (parent, parent_clause) in uncovered


def test_contract_shape(draft):
    assert draft["document"] == "jiading-draft"
    assert draft["parents"] == ["shanghai-2023", "national-2022"]
    for a in draft["alignments"]:
        assert {"clause", "parent_document", "parent_clause", "score"} <= set(a)
    for f in draft["findings"]:
        assert {"kind", "severity", "clause", "parent_document", "parent_clause", "message", "evidence"} <= set(f)
        assert f["severity"] in ("high", "medium", "low")
        assert {"text", "parent_text"} <= set(f["evidence"])
        assert re.search(r"[\u4e00-\u9fff]", f["message"])
        assert (f["clause"] is None) == (f["kind"] == "not_covered")


def test_alignments_best_first_and_sensible(draft):
    for clause in range(1, 17):
        for parent in draft["parents"]:
            scores = [a["score"] for a in draft["alignments"] if a["clause"] == clause and a["parent_document"] == parent]
            assert scores == sorted(scores, reverse=True) and len(scores) >= 1
    assert top3(draft, 8, "national-2022")[0] == 14
    assert top3(draft, 15, "national-2022")[0] == 18
    assert top3(draft, 11, "national-2022")[0] == 16
    assert top3(draft, 2, "shanghai-2023")[0] == 2


def test_draft_findings(draft):
    blanks = [f for f in draft["findings"] if f["kind"] == "placeholder"]
    assert {f["clause"] for f in blanks} == {2} and len(blanks) == 5
    # a blank in a target is shown with the parent's figure for the same indicator
    assert any("100家" in f["message"] for f in blanks) and any("30%" in f["message"] for f in blanks)
    assert "number_mismatch" not in {f["kind"] for f in draft["findings"]}
    weakened = [f for f in draft["findings"] if f["kind"] == "weakened_modality" and f["clause"] == 3]
    assert weakened and "可" in weakened[0]["message"] and "要" in weakened[0]["message"]
    assert any(f["kind"] == "omitted_obligation" and f["clause"] == 3 and "国有企业" in f["evidence"]["parent_text"]
               for f in draft["findings"])
    # the Shanghai digest is never the source of omitted obligations
    assert not any(f["kind"] == "omitted_obligation" and f["parent_document"] == "shanghai-2023" for f in draft["findings"])


def test_equal_figures_are_not_findings(kg):
    result = kg.check("linhai-measures")
    mismatches = [f for f in result["findings"] if f["kind"] == "number_mismatch"]
    assert [(f["clause"], f["parent_clause"]) for f in mismatches] == [(8, 18)]
    assert "50%" in mismatches[0]["message"] and "60%" in mismatches[0]["message"]


def test_document_without_parents(kg):
    result = kg.check("qinghe-notice")
    assert result["parents"] == [] and result["alignments"] == []
    assert all(f["kind"] == "placeholder" for f in result["findings"])


# -- our own documents ------------------------------------------------------------------------------
def test_own_measure_every_finding_kind(fenghua):
    assert fenghua["parents"] == ["national-2022"] and fenghua["missing_parents"] == []
    assert "number_mismatch" in kinds_on(fenghua, 2)
    mismatch = next(f for f in fenghua["findings"] if f["kind"] == "number_mismatch")
    assert (mismatch["parent_clause"], mismatch["severity"]) == (2, "high") and "25%" in mismatch["message"]
    assert "placeholder" in kinds_on(fenghua, 2)
    assert "weakened_modality" in kinds_on(fenghua, 3)
    assert "omitted_obligation" in kinds_on(fenghua, 3)
    strengthened = [f for f in fenghua["findings"] if f["kind"] == "strengthened_modality"]
    assert [(f["clause"], f["parent_clause"]) for f in strengthened] == [(4, 8)]
    uncovered = {f["parent_clause"] for f in fenghua["findings"] if f["kind"] == "not_covered"}
    assert {5, 19} <= uncovered and not uncovered & {2, 3, 14, 17, 18}
    # a partial-scope measure does not shout about every parent clause it leaves out
    assert all(f["severity"] == "low" for f in fenghua["findings"] if f["kind"] == "not_covered")


def test_own_measure_no_false_alarms(fenghua):
    # 第五条 and 第七条 restate the parent with the same force; 第六条's 60% equals the parent's 60%
    assert not kinds_on(fenghua, 5) & {"weakened_modality", "strengthened_modality", "number_mismatch"}
    assert not kinds_on(fenghua, 7) & {"weakened_modality", "strengthened_modality", "number_mismatch"}
    assert "number_mismatch" not in kinds_on(fenghua, 6)
    # 1/3 equals 1/3: only the 25% is a mismatch in 第二条
    assert len([f for f in fenghua["findings"] if f["kind"] == "number_mismatch"]) == 1


def test_missing_parent_is_reported(own_kg):
    result = own_kg.check("yuxi-notice")
    assert result["parents"] == ["national-2022"] and result["missing_parents"] == ["yuxi-city-2024"]
    assert any("yuxi-city-2024" in w and "--corpus" in w for w in result["warnings"])
    assert "number_mismatch" in kinds_on(result, 3)
    assert "weakened_modality" not in kinds_on(result, 1)


# -- graph ------------------------------------------------------------------------------------------------
PREFIX = "PREFIX pol: <https://w3id.org/policykg/ontology#> PREFIX id: <https://w3id.org/policykg/id/> "


def test_aligns_with_in_the_graph(kg):
    rows = kg.select(PREFIX + "SELECT ?score WHERE { id:jiading-draft\\/clause\\/8 pol:alignsWith id:national-2022\\/clause\\/14 . "
                     "?a a pol:Alignment ; pol:source id:jiading-draft\\/clause\\/8 ; "
                     "pol:target id:national-2022\\/clause\\/14 ; pol:score ?score }")
    assert len(rows) == 1 and float(str(rows[0]["score"])) > 0.3


def test_extraction_triples(kg):
    rows = kg.select(PREFIX + "SELECT ?o ?m ?party WHERE { id:national-2022\\/clause\\/3 pol:hasObligation ?o . "
                     "?o pol:modality ?m ; pol:party ?party ; pol:extractedFrom id:national-2022\\/clause\\/3 }")
    assert ("must", "国有企业") in {(str(r["m"]), str(r["party"])) for r in rows}
    assert all(re.fullmatch(r"https://w3id.org/policykg/id/national-2022/clause/3/obligation/\d+", str(r["o"])) for r in rows)
    rows = kg.select(PREFIX + "SELECT ?ind ?v ?u WHERE { id:national-2022\\/clause\\/18 pol:hasFigure ?f . "
                     "?f pol:indicator ?ind ; pol:value ?v ; pol:unit ?u }")
    assert [(str(r["ind"]), float(str(r["v"])), str(r["u"])) for r in rows] == [("用于一线职工教育和培训", 60.0, "%")]
    rows = kg.select(PREFIX + "SELECT ?e WHERE { id:jiading-draft\\/clause\\/2 pol:hasPlaceholder ?p . ?p pol:evidence ?e }")
    assert len(rows) == 5


# -- reports and the command line -------------------------------------------------------------------
def test_html_report_is_self_contained(kg, draft):
    from policykg.check.report import to_html

    page = to_html(kg.store, draft)
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page) and "<script" not in page
    assert page.count("<tr id='c") == 16
    assert "<ins>" in page and "<del>" in page  # differences highlighted
    assert "待填空白" in page and "上级条款未落实" in page
    assert "（十四）" in page


def test_markdown_and_text_reports(kg, draft):
    from policykg.check.report import to_markdown, to_text

    md = to_markdown(kg.store, draft)
    assert md.startswith("# 一致性检查") and "| 高 | 待填空白 | （二）目标任务 |" in md
    text = to_text(kg.store, draft)
    assert "要求弱化" in text and "（八）开展职业技能竞赛选拔高技能人才：national-2022 （十四）" in text


def test_cli_check(cli, store_dir):
    done = cli("check", "jiading-draft", "--json", "--store", store_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["document"] == "jiading-draft"
    done = cli("check", "jiading-draft", "--html", "--store", store_dir)
    assert done.returncode == 0 and "<table>" in done.stdout
    done = cli("check", "no-such-doc", "--store", store_dir)
    assert done.returncode == 2 and "no-such-doc" in done.stderr and "Traceback" not in done.stderr


def test_own_district_draft(own_kg):
    result = own_kg.check("nanxiang-draft")
    mismatches = [f for f in result["findings"] if f["kind"] == "number_mismatch"]
    # 28% is below both parents' 30%; 35% equals them; the district's 10家 differs from the city's total 100家
    ratio = [f for f in mismatches if f["evidence"]["unit"] == "%"]
    assert len(ratio) == 1 and ratio[0]["clause"] == 1 and "28%" in ratio[0]["message"] and ratio[0]["severity"] == "high"
    count = [f for f in mismatches if f["evidence"]["unit"] == "家"]
    assert len(count) == 1 and count[0]["severity"] == "low"
    weakened = [f for f in result["findings"] if f["kind"] == "weakened_modality"]
    assert [(f["clause"], f["parent_document"], f["parent_clause"]) for f in weakened] == [(2, "national-2022", 3)]
    # the duty softened to 支持 is there: it is not also reported as omitted
    assert not any(f["kind"] == "omitted_obligation" and f["clause"] == 2 for f in result["findings"])
    # 应当 where the parent says 要 is no finding
    assert not kinds_on(result, 4) & {"weakened_modality", "strengthened_modality"}
    blank = [f for f in result["findings"] if f["kind"] == "placeholder"]
    assert len(blank) == 1 and blank[0]["clause"] == 5 and "年＿月" in blank[0]["evidence"]["text"]
    # the digest parent: low severity only, never omitted obligations
    digest = [f for f in result["findings"] if f["parent_document"] == "shanghai-2023" and f["kind"] == "not_covered"]
    assert all(f["severity"] == "low" for f in digest)


def test_a_digest_is_not_blamed_for_what_it_leaves_out(kg):
    result = kg.check("shanghai-2023")
    assert result["parents"] == ["national-2022"]
    assert not {f["kind"] for f in result["findings"]} & {"not_covered", "omitted_obligation"}
    assert any("digest" in w for w in result["warnings"])


def test_a_duty_handed_to_another_party_is_not_omitted():
    from policykg.check.findings import _same_duty
    from policykg.extract.modality import find_obligations

    (parent,) = find_obligations("各级政府要统筹利用现有资金渠道，按规定支持技能人才工作。")
    (handed,) = find_obligations("财政部门要统筹利用就业补助资金等，加大对技能人才工作的支持力度。")
    (other,) = find_obligations("财政部门要落实职工教育经费税前扣除政策。")
    assert _same_duty(parent, handed) and not _same_duty(parent, other)
