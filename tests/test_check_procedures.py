"""Approvals and filings the parent does not require, penalties cited by article, and what a
document restating part of a law omits (tests/data/checkdoc-procedures, texts of our own).

qinghu-forest-measures implements qinghu-forest-regulation: 第三条 adds a filing the regulation
does not require and 第十条 fines skipping it; 第八条 fines above the cited article's maximum and
第九条 cites an article that sets no fine. Look-alikes that are none: an approval where the parent
has one (第二条, 批准 for 审批), one authority filing with another (第四条), a thing already
approved (经批准的方案, 第五条), a fine within the cited range (第七条), and a restated first
paragraph of an article whose second paragraph applies as it is (第六条).
"""
from __future__ import annotations

import json

import pytest

from conftest import DATA


@pytest.fixture(scope="module")
def result(tmp_path_factory, cli):
    store = tmp_path_factory.mktemp("procedures") / "kg"
    done = cli("build", "--corpus", DATA / "checkdoc-procedures", "--store", store)
    assert done.returncode == 0, done.stderr
    done = cli("check", "qinghu-forest-measures", "--json", "--store", store)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def by_clause(result) -> dict[int, list[dict]]:
    out: dict[int, list[dict]] = {}
    for f in result["findings"]:
        out.setdefault(f["clause"], []).append(f)
    return out


def test_added_filing_and_its_penalty(result):
    on = by_clause(result)
    [added] = on[3]
    assert (added["kind"], added["parent_clause"], added["severity"]) == ("added_restriction", 3, "medium")
    assert "备案" in added["message"] and added["evidence"]["procedure"] == "备案"
    assert "采集林木种子" in added["evidence"]["parent_text"]
    [fine] = on[10]
    assert fine["kind"] == "penalty_conflict" and fine["severity"] == "high" and "第三条增设" in fine["message"]


def test_penalty_cited_by_article(result):
    on = by_clause(result)
    [above] = on[8]
    assert above["kind"] == "penalty_conflict" and above["parent_clause"] == 8
    assert "2000元" in above["message"] and "500元" in above["message"] and "序号" not in above["message"]
    [stale] = on[9]
    assert stale["kind"] == "penalty_conflict" and stale["parent_clause"] == 3
    assert "没有规定罚款" in stale["message"] and "序号" in stale["message"] and stale["evidence"]["parent_text"]


def test_no_false_findings(result):
    assert set(by_clause(result)) == {3, 8, 9, 10}  # nothing on 第二、四、五、六、七条


def test_same_action_through_the_document_it_names():
    from policykg.check.duty import different_actions, main_verb, same_action

    assert main_verb("自接到申请书之日起2日内将通知书送交负责人") == "送交"  # 申请书, 通知书 are documents
    assert main_verb("由申请人提交材料") == "提交"
    assert same_action("将《协商通知书》送交有关单位", "通知有关单位协商")
    assert different_actions("撤回申请", "及时办理撤回手续") and not same_action("终止合同", "中止合同")
