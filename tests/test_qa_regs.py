"""Answers over ten regulations no other set uses (tests/data/qa-regs.jsonl, issue 12): everyday words
read as the statute's (商场 → 经营者, 交钱 → 收费), a figure of the question within the case the sentence
states (十五岁 in 未满十六周岁) and outside it, a yes only when the sentence holds every term of the
question, a stated case counting for the verdict, periods in hours and frequencies, amounts in months
of wage, and a figure sentence continuing the sentence before it. The store is built at test time
from ../shared/library (never copied into the repo); questions here are worded apart from the set's."""
from __future__ import annotations

import pytest

from conftest import ROOT
from conftest import library_store

# 治安管理处罚法, 未成年人保护法, 食品安全法, 个人信息保护法, 老年人权益保障法, 职业病防治法, 工资支付暂行规定,
# 婚姻登记条例, 医疗纠纷预防和处理条例, 献血法
REGS = ("law-dcf3ee39", "law-be5a9f6c", "law-f1a8796a", "law-3df52c11", "law-c8fb1d0c", "law-dc5ede63",
        "law-288c51a0", "law-3da35ba1", "law-0260adbd", "law-18300b93")
POLICE, MINORS, WAGES, MEDICAL = "law-dcf3ee39", "law-be5a9f6c", "law-288c51a0", "law-0260adbd"


@pytest.fixture(scope="module")
def regs(tmp_path_factory):
    return library_store(tmp_path_factory, "regs", REGS)


def _ask(kg, q):
    from policykg.qa import answer

    return answer(kg.searcher, q)


def _cites(r, n=3):
    return [(c["document"], c["number"]) for c in r["citations"][:n]]


def _no(r):
    return not r["abstained"] and r["answer"].startswith(("不", "否", "No"))


def test_everyday_words_name_the_party_and_the_object(regs):
    r = _ask(regs, "超市能把香烟卖给未成年人吗？")  # 超市 → 经营者, 香烟 → 烟: 禁止向未成年人销售烟
    assert _no(r) and (MINORS, 59) in _cites(r) and "禁止" in r["answer"]
    r = _ask(regs, "医疗纠纷人民调解要交钱吗？")  # 交钱 ~ 收取费用: 不得收取费用
    assert _no(r) and "不得收取费用" in r["answer"] and (MEDICAL, 32) in _cites(r)


def test_a_figure_within_the_case_the_sentence_states(regs):
    r = _ask(regs, "父母可以让十四岁的孩子单独生活吗？")  # 不得使未满十六周岁的未成年人…单独生活
    assert _no(r) and (MINORS, 21) in _cites(r)
    r = _ask(regs, "父母可以让十七岁的孩子单独生活吗？")  # outside that case: no verdict from it
    assert not _no(r)


def test_a_stated_case_counts_for_the_verdict(regs):
    r = _ask(regs, "不满十四周岁的人违反治安管理要受处罚吗？")  # 不满十四周岁的人…的，不予处罚
    assert _no(r) and "不予处罚" in r["answer"] and (POLICE, 12) in _cites(r)


def test_a_yes_needs_every_term_of_the_question(regs):
    r = _ask(regs, "治安罚款能不能分期交？")  # 应当…十五日内…缴纳罚款 says nothing on 分期
    assert r["abstained"] and not r["answer"].startswith(("可以", "是"))


def test_a_period_in_hours_and_a_frequency(regs):
    r = _ask(regs, "公安机关传唤以后询问查证一般不能超过多长时间？")
    assert not r["abstained"] and "八小时" in r["answer"] and (POLICE, 83) in _cites(r)
    r = _ask(regs, "单位多长时间至少要发一次工资？")  # 工资至少每月支付一次
    assert not r["abstained"] and "每月" in r["answer"] and (WAGES, 7) in _cites(r)


def test_a_figure_sentence_continues_the_sentence_before_it(regs):
    r = _ask(regs, "员工给单位造成经济损失，每月从工资中扣除赔偿最多能扣多少？")  # 但每月扣除的部分不得超过…２０％
    assert not r["abstained"] and ("２０％" in r["answer"] or "20%" in r["answer"]) and (WAGES, 16) in _cites(r)


def test_a_question_asking_what_a_term_is_reads_its_definition(regs):
    r = _ask(regs, "法律所说的未成年人指多大年纪的人？")  # 本法所称未成年人是指未满十八周岁的公民
    assert not r["abstained"] and "十八周岁" in r["answer"] and _cites(r, 1) == [(MINORS, 2)]


def test_the_bound_asked_for_and_a_case_with_its_figure(regs):
    r = _ask(regs, "献血时一次采集血液最多多少毫升？")  # 一般为二百毫升，最多不得超过四百毫升
    assert not r["abstained"] and r["answer"].startswith("最多不得超过四百毫升")
    r = _ask(regs, "按食品安全法增加赔偿，最低赔多少钱？")  # 增加赔偿的金额不足一千元的，为一千元
    assert not r["abstained"] and "为一千元" in r["answer"]


def test_the_regulations_set(regs):
    """tests/data/qa-regs.jsonl: 48 questions (40 Chinese, 8 English) over the ten regulations, gold
    read from the texts before any run; a dev set (16/48 before the changes, 33/48 after)."""
    from policykg.qa.evaluate import evaluate_file, format_report

    result = evaluate_file(regs.searcher, ROOT / "tests" / "data" / "qa-regs.jsonl")
    assert result["passed"] >= 31, format_report(result)
    verdict = ("Yes", "No", "Not required", "可以", "不", "是", "否")
    wrong_verdict = [r["id"] for r in result["results"] if not r["abstained"] and r["answer"].startswith(verdict)
                     and any("forbidden pattern '^" in x for x in r["reasons"])]
    assert not wrong_verdict, format_report(result)
