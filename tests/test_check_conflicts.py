"""Conflicts with the higher-level law on documents of our own (tests/data/checkdoc-conflicts).

qinghu-measures implements qinghu-regulation with one conflict of each kind — a longer and a
shorter time limit, a permission where the parent forbids, a prohibition where it permits, a loss
of a right carried into the next year, a fine above the parent's maximum and a new kind of
penalty, a restated article that drops a duty naming no party — and with look-alikes that are none: article references (条例第五条), a parent that says
国家鼓励, 可以终止 against 应当中止, equal fines, and a purpose clause and effective date.
"""
from __future__ import annotations

import json

import pytest

from conftest import DATA


@pytest.fixture(scope="module")
def store(tmp_path_factory, cli):
    store = tmp_path_factory.mktemp("conflicts") / "kg"
    done = cli("build", "--corpus", DATA / "checkdoc-conflicts", "--store", store)
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module")
def result(store, cli):
    done = cli("check", "qinghu-measures", "--json", "--store", store)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def found(result, kind):
    return {(f["clause"], f["parent_clause"]): f for f in result["findings"] if f["kind"] == kind}


def test_each_conflict_kind(result):
    deadlines = found(result, "deadline_conflict")
    assert deadlines[(2, 3)]["severity"] == "high" and "48小时内" in deadlines[(2, 3)]["message"]
    assert deadlines[(3, 4)]["severity"] == "medium" and "二十日内" in deadlines[(3, 4)]["message"]
    permission = found(result, "permission_conflict")
    assert set(permission) == {(4, 5)} and permission[(4, 5)]["severity"] == "high"
    assert set(found(result, "added_restriction")) == {(5, 6), (6, 7)}
    penalties = found(result, "penalty_conflict")
    assert set(penalties) == {(7, 8), (8, 9)}
    assert "1万元" in penalties[(7, 8)]["message"] and "5000元" in penalties[(7, 8)]["message"]
    assert penalties[(7, 8)]["evidence"]["range"] == [1000, 10000]
    assert "吊销" in penalties[(8, 9)]["message"]
    for f in result["findings"]:
        assert f["evidence"]["text"] and f["evidence"]["parent_text"]
        assert f["message"].startswith("草案") or f["kind"] == "omitted_obligation"


def test_no_false_conflicts(result):
    kinds = {f["kind"] for f in result["findings"]}
    assert "number_mismatch" not in kinds  # 条例第五条 / 第八条、第九条 are references, not figures
    on = lambda n: {f["kind"] for f in result["findings"] if f["clause"] == n}
    assert not on(9)  # 鼓励 against a parent 国家鼓励
    assert not on(10)  # 可以终止 is not the same action as 应当中止
    assert not on(11) and not on(1) and not on(13)
    # a regulation applies directly: its articles the measures leave alone are not reported
    assert "not_covered" not in kinds


def test_dropped_duty_without_a_party(result):
    # 第十二条 restates the parent's 第十三条 but drops its second duty, which names no party
    omitted = found(result, "omitted_obligation")
    assert set(omitted) == {(12, 13)} and "清除" in omitted[(12, 13)]["evidence"]["parent_text"]
    assert "未写明" in omitted[(12, 13)]["message"]


def test_scope_stated(result):
    scope = result["scope"][0]
    assert scope["parent_document"] == "qinghu-regulation" and scope["legal_norm"] and scope["whole"]
    assert {5, 8, 9, 12} <= set(scope["cited"])
    assert "第一条" in scope["description"] and "直接适用" in scope["description"]


# -- one drafter report: `check --html` and the web page from one template ------------------------
def test_static_report_filters_without_script(store, cli):
    done = cli("check", "qinghu-measures", "--html", "--store", store)
    page = done.stdout
    assert done.returncode == 0 and "<script" not in page and page.startswith("<!DOCTYPE html>")
    assert "<ins>" in page and "<del>" in page  # the character differences
    assert "id='only'" in page and "#only:checked~.body tbody tr.clean{display:none}" in page
    assert "id='k-penalty_conflict'" in page and "#k-penalty_conflict:checked~.body" in page
    assert "id='s-high'" in page and "范围：" in page and "处罚超出上位法" in page
    assert page.count("<tr id='c") == 13 and page.count("class='clean'") == 5


def test_web_page_same_report_filtered(store):
    from fastapi.testclient import TestClient

    from policykg.api import create_app
    from policykg.app import PolicyKG

    with TestClient(create_app(PolicyKG(store=str(store))), raise_server_exceptions=False) as client:
        full = client.get("/drafter/qinghu-measures")
        assert full.status_code == 200 and full.text.count("<tr id='c") == 13
        assert "<ins>" in full.text and "href='/documents/qinghu-regulation/clauses/" in full.text
        assert "/drafter.css" in full.text and client.get("/drafter.css").status_code == 200
        only = client.get("/drafter/qinghu-measures?only=1&kind=penalty_conflict&severity=high")
        assert only.status_code == 200 and only.text.count("<tr id='c") == 2
        assert only.text.count("class='f finding") == 2 and "name=\"kind\" value=\"penalty_conflict\" checked" in only.text
        odd = client.get("/drafter/qinghu-measures?severity=nonsense&only=yes")
        assert odd.status_code == 200 and odd.text.count("<tr id='c") == 13
