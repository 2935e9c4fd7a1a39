"""Answers people can trust (issue 12): yes/no only when the cited sentence states it (negations
included), the figure of the case asked, paragraph-level units, status labels, English renderings
and the note that a draft names no concrete benefit. Our own short 第N条 documents
(tests/data/lawqa), and a small store built at test time from three laws of ../shared/library."""
from __future__ import annotations

import pytest

from conftest import DATA, library_store

LAWS = {"law-ef955985": "劳动合同法", "law-2c106df9": "保障农民工工资支付条例", "law-ce37ad85": "职工工作时间"}


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    from policykg.app import PolicyKG

    kg = PolicyKG(store=str(tmp_path_factory.mktemp("own") / "kg"))
    kg.build([DATA / "lawqa"])
    return kg


@pytest.fixture(scope="module")
def laws(tmp_path_factory):
    """Three real laws of the library (read at run time into a temporary corpus)."""
    return library_store(tmp_path_factory, "lawstore", tuple(LAWS))


def _ask(kg, q):
    from policykg.qa import answer

    return answer(kg.searcher, q)


def test_no_from_a_prohibition(own):
    r = _ask(own, "用人单位可以收取押金吗？")
    assert r["answer"].startswith("不可以") and not r["abstained"]
    assert (r["citations"][0]["document"], r["citations"][0]["number"]) == ("hire-rules", 2)
    en = _ask(own, "Can an employer take a deposit from a worker when hiring?")
    assert en["answer"].startswith("No.") and "must not" in en["answer"] and "Article 2" in en["answer"]
    assert "押金" in en["answer"]  # the Chinese quote stays as evidence


def test_yes_from_a_permission_names_the_paragraph(own):
    r = _ask(own, "用人单位可以通过银行发工资吗？")
    assert r["answer"].startswith("可以") and "第四条第二款" in r["answer"]
    first = r["citations"][0]
    assert first["number"] == 4 and first["paragraph"] == 2 and first["unit"] == "第四条第二款"


def test_no_verdict_when_the_sentence_neither_permits_nor_forbids(own):
    r = _ask(own, "培训费用由劳动者承担吗？")
    assert r["abstained"] and not r["answer"].startswith(("可以", "不可以", "是", "否"))
    assert "费用由用人单位承担" in r["answer"]


def test_figure_of_the_case_asked(own):
    r = _ask(own, "工作满十年不满二十年的，带薪年休假有几天？")
    assert "十天" in r["answer"] and "十五天" not in r["answer"] and "五天" not in r["answer"].replace("十五天", "")


def test_draft_naming_no_concrete_benefit_says_so(own):
    zh = _ask(own, "C类人才享受什么待遇？")
    assert "没有列明具体待遇" in zh["answer"] and "草案" in zh["answer"]
    en = _ask(own, "What does a C-tier talent receive?")
    assert "names no concrete benefit" in en["answer"] and "draft" in en["answer"]


def test_status_labels():
    from types import SimpleNamespace

    from policykg.qa.compose import status_en, status_zh

    digest = SimpleNamespace(status="in_force", text="digest", number="沪〔2023〕1号", date="2023-11")
    assert "摘要" in status_zh(digest) and "现行有效" in status_zh(digest) and "沪〔2023〕1号" in status_zh(digest)
    assert "digest, not the official text" in status_en(digest) and "dated 2023-11" in status_en(digest)
    old = SimpleNamespace(status="superseded", text="full", number="", date="2008-01-01")
    assert "取代" in status_zh(old) and "superseded" in status_en(old)


def test_digest_is_never_quoted_as_the_official_text(kg):
    from policykg.qa import answer

    r = answer(kg.searcher, "上海市高技能人才队伍建设的目标是什么？")
    if any(c["document"] == "shanghai-2023" for c in r["citations"][:1]):
        assert "《关于加强新时代高技能人才队伍建设的实施意见》的摘要" in r["answer"]


def test_conditions_and_rendering():
    from policykg.qa.conditions import fit, question_ranges
    from policykg.qa.render import gloss, title_en

    q = question_ranges("合同期限三年以上的，试用期最长多久？")
    assert fit(q, "合同期限一年以上不满三年的，试用期不得超过二个月") == -1
    assert fit(q, "三年以上的合同，试用期不得超过六个月") == 1
    assert question_ranges("if the contract is three years or more") == q
    assert gloss("用人单位不得扣押劳动者的居民身份证") == "employer must not withhold worker's ID card"
    assert title_en("中华人民共和国劳动合同法") == "Labour Contract Law"


def test_real_laws_yes_no_and_figures(laws):
    r = _ask(laws, "Can my employer keep my ID card or ask me for a deposit when I am hired?")
    assert r["answer"].startswith("No.") and "must not" in r["answer"]
    assert (r["citations"][0]["document"], r["citations"][0]["number"]) == ("law-ef955985", 9)
    assert "Article 9 of the Labour Contract Law (中华人民共和国劳动合同法)" in r["answer"]
    r = _ask(laws, "Can an employer pay migrant workers' wages in goods or vouchers?")
    assert r["answer"].startswith("No.") and r["citations"][0]["document"] == "law-2c106df9"
    r = _ask(laws, "用人单位可以扣押劳动者的身份证吗？")
    assert r["answer"].startswith("不可以")
    r = _ask(laws, "劳动合同期限三年以上的，试用期最长不能超过多久？")
    assert "六个月" in r["answer"] and "二个月" not in r["answer"] and not r["abstained"]
    assert r["citations"][0]["number"] == 19 and r["citations"][0]["paragraph"] == 1
    r = _ask(laws, "职工每周工作多少小时？")
    assert "40小时" in r["answer"] and not r["abstained"]
    r = _ask(laws, "How long can the probation period be if the labour contract is three years or more?")
    assert "6 months" in r["answer"] and "2 months" not in r["answer"]
    r = _ask(laws, "试用期最长多久？")  # no case named: every case with its figure
    assert all(x in r["answer"] for x in ("一个月", "二个月", "六个月"))


def test_eval_scores_the_held_out_part_of_stard_with_hit_at_k(own, tmp_path):
    import json

    from policykg.qa.evaluate import evaluate_file, format_report, held_out

    ids = [f"s{i}" for i in range(12)]
    lines = [json.dumps({"id": i, "question": "用人单位可以收取押金吗？", "cite": [["hire-rules", 2]],
                         "answer_has": [], "answer_not": []}, ensure_ascii=False) for i in ids]
    path = tmp_path / "stard-train.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    part = evaluate_file(own.searcher, path)
    assert part["cases"] == sum(held_out(i) for i in ids) < len(ids) and part["split"].startswith("held-out")
    assert evaluate_file(own.searcher, path, all_items=True)["cases"] == len(ids)
    assert set(part["retrieval"]["bm25"]) == {"hit@1", "hit@3", "hit@5", "hit@10"}
    assert "hit@10" in format_report(part) and "held-out" in format_report(part)
