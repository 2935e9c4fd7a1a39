"""Question answering: Chinese, English, abstention, grounding, unseen documents, the CLI."""
from __future__ import annotations

import json
import re

import pytest

from policykg.errors import InputError
from policykg.qa.compose import yuan
from policykg.qa.focus import zh_focus
from policykg.qa.intent import classify

AMOUNT = re.compile(r"\d[\d,.]*\s*万?元")


def _cited(result, k=3):
    return [(c["document"], c["number"]) for c in result["citations"][:k]]


def test_chinese_benefit_question(kg):
    r = kg.ask("C类人才享受什么待遇？")
    assert r["language"] == "zh" and r["abstained"] is False
    assert ("jiading-draft", 9) in _cited(r)
    assert "资助补贴" in r["answer"]
    assert set(r["citations"][0]) >= {"document", "number", "label", "title", "text", "iri", "score"}


def test_english_benefit_question(kg):
    r = kg.ask("What does a C-tier talent receive?")
    assert r["language"] == "en" and r["abstained"] is False
    assert ("jiading-draft", 9) in _cited(r)
    assert "资助补贴" in r["answer"] and r["answer"].startswith("Under ")
    assert "C-tier = C类" in r["answer"]


def test_english_amount_question_reads_the_amount(kg):
    r = kg.ask("How much is the award for the Jiading Craftsman Lifetime Achievement Award?")
    assert _cited(r, 1) == [("jiading-draft", 10)]
    assert "10万元" in r["answer"] and "100,000 yuan" in r["answer"]


@pytest.mark.parametrize("question", [
    "嘉定区对高技能人才的购房补贴是多少钱？",
    "How much is the home purchase subsidy for high-skilled talent in Jiading?",
    "临海市对一类人才的购房补贴是多少？",
])
def test_abstains_when_no_amount_exists(kg, question):
    r = kg.ask(question)
    assert r["abstained"] is True
    assert not AMOUNT.search(r["answer"]), r["answer"]
    assert r["citations"], "an abstention still cites what the documents say nearest"
    assert "购房" in r["answer"]


def test_yes_no_question(kg):
    r = kg.ask("院校可以面向毕业学年学生开展技能等级认定吗？")
    assert r["answer"].startswith("可以")
    assert _cited(r, 1) == [("jiading-draft", 7)]


@pytest.mark.parametrize("question, clause, expected", [
    ("临海市对新引进的一类人才给予多少生活补贴？", ("linhai-measures", 4), "5万元"),
    ("清河区C类人才购房可以拿到多少安家补贴？", ("qinghe-notice", 2), "20万元"),
    ("What is the maximum settling-in allowance for a Tier A talent in Qinghe?", ("qinghe-notice", 2), "100万元"),
    ("临海示范工匠的奖励资金由哪个部门列支？", ("linhai-measures", 6), "财政局"),
])
def test_unseen_document_kinds(kg, question, clause, expected):
    r = kg.ask(question)
    assert clause in _cited(r)
    assert expected in r["answer"]


@pytest.mark.parametrize("question", [
    "C类人才享受什么待遇？", "嘉定工匠终身成就奖奖励多少钱？", "What does a Tier C talent get for renting a home?",
    "临海市对新引进的一类人才给予多少生活补贴？", "企业职工教育经费中用于一线职工教育培训的比例是多少？",
    "How much living subsidy does a Class I talent get in Linhai?",
])
def test_answers_state_only_figures_their_citations_contain(kg, question):
    r = kg.ask(question)
    cited = " ".join(c["text"] for c in r["citations"])
    allowed = set(re.findall(r"\d+(?:\.\d+)?", cited.replace(",", "")))
    for m in re.finditer(r"(\d[\d,.]*)\s*(万|亿)?\s*(元|yuan|%|名|个月|年)", r["answer"]):
        value = m.group(1).replace(",", "").rstrip(".")
        if m.group(3) == "yuan":  # an English reading of a quoted amount: its Chinese form is quoted too
            continue
        assert value in allowed, f"{m.group(0)} is not in the cited text"
    for m in re.finditer(r"([\d,]+) yuan", r["answer"]):
        reading = m.group(0)
        assert any(yuan(a.group(0)) == reading for a in re.finditer(r"\d+(?:\.\d+)?\s*(?:万|亿|千)?\s*元", cited))


def test_facts_come_from_the_graph(kg):
    r = kg.ask("嘉定工匠终身成就奖奖励多少钱？")
    assert r["facts"]
    assert all(set(f) == {"subject", "predicate", "object"} for f in r["facts"])
    assert any(f["predicate"].endswith("#provides") or f["predicate"].endswith("#mentions") for f in r["facts"])


def test_intents_and_focus():
    assert classify("嘉定工匠终身成就奖奖励多少钱？", "zh").name == "amount"
    assert classify("哪个部门负责组织实施高技能人才工作？", "zh").name == "agency"
    assert classify("Which key industries does Jiading focus on when attracting talent?", "en").name != "duration"
    assert classify("院校可以面向毕业学年学生开展技能等级认定吗？", "zh").name == "yesno"
    assert classify("What is the ratio of training funds?", "en").name == "ratio"
    assert set(zh_focus("嘉定区对高技能人才的购房补贴是多少钱？", {"嘉定"})) == {"购房", "补贴"}


def test_bad_questions_are_input_errors(kg):
    with pytest.raises(InputError):
        kg.ask("   ")
    with pytest.raises(InputError):
        kg.ask("问" * 2000)


def test_cli_ask_json(cli, store_dir):
    out = cli("ask", "What does a C-tier talent receive?", "--json", "--store", store_dir)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert ("jiading-draft", 9) in _cited(result)
    assert set(result) == {"question", "language", "answer", "abstained", "citations", "facts"}
    assert "Loading weights" not in out.stderr
