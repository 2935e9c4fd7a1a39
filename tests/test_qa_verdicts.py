"""Yes/no verdicts that the cited text does not state are never given (issue 12): wrong verdicts
found by asking real layperson questions (STARD, training part) over the whole library, each turned
into a general rule and checked here on real laws of ../shared/library (read at run time)."""
from __future__ import annotations

import pytest

from conftest import library_store

# 交强险条例, 合伙企业法, 商标法, 商标法实施条例, 劳动合同法
LAWS = ("law-ae7910d5", "law-b35c6974", "law-4514f743", "law-e6544bb8", "law-ef955985")
VERDICT = ("是", "否", "可以", "不可以", "不", "需要", "仅在", "无需")


@pytest.fixture(scope="module")
def laws(tmp_path_factory):
    return library_store(tmp_path_factory, "verdict-laws", LAWS)


def _ask(kg, q):
    from policykg.qa import answer

    return answer(kg.searcher, q)


def test_a_rule_with_listed_exceptions_decides_with_the_exception_noted(laws):
    r = _ask(laws, "投保人可以解除机动车交通事故责任强制保险合同吗？")
    assert r["answer"].startswith("不可以（文中所列例外情形除外）")
    assert (r["citations"][0]["document"], r["citations"][0]["number"]) == ("law-ae7910d5", 16)


def test_an_exception_item_is_not_answered_with_the_rule_it_excepts(laws):
    # the item is a case where 不得解除 does NOT hold: never "不可以" for it
    r = _ask(laws, "被保险机动车被注销登记了，投保人可以解除交强险合同吗？")
    assert not r["answer"].startswith(VERDICT)


def test_the_most_specific_term_must_be_in_the_deciding_sentence(laws):
    # 应当…缴纳出资 does not say whether a partnership pays 企业所得税
    r = _ask(laws, "合伙企业需要缴纳企业所得税吗？")
    assert not r["answer"].startswith(VERDICT)


def test_a_negated_act_or_a_court_s_power_gives_no_verdict_on_may_i(laws):
    r = _ask(laws, "我可以注册商标后不使用吗？")
    assert not r["answer"].startswith(VERDICT)


def test_a_not_a_question_is_asking_not_negating(laws):
    r = _ask(laws, "用人单位能不能扣押劳动者的居民身份证？")
    assert r["answer"].startswith("不可以")


def test_asking_words_and_acts():
    from policykg.qa.intent import classify
    from policykg.qa.yesno import ask_kind

    assert classify("虚构应收账款中，如何判断保理人是否明知？", "zh").name != "yesno"
    assert classify("保管人可以使用仓储物吗？", "zh").name == "yesno"
    assert ask_kind("用人单位能不能扣押劳动者的身份证？", "zh") == "may"
    assert ask_kind("公司可不可以不签劳动合同？", "zh") == "not"
    assert ask_kind("我可以注册商标后不使用吗？", "zh") == "unclear"


def test_the_deciding_scope_must_govern_the_act_asked():
    from policykg.qa.yesno import decide

    def idf(term):
        return 1.0

    groups = [["保管人"], ["使用"], ["仓储物"]]
    v = decide("保管人应当按照约定对入库仓储物进行验收。", "保管人可以使用仓储物吗？", groups, idf, "zh")
    assert not v.answer  # 应当…验收 is about inspecting, not using
    v = decide("保管人不得使用仓储物。", "保管人可以使用仓储物吗？", groups, idf, "zh")
    assert v.answer == "no"


def test_a_scope_binding_another_party_or_a_question_word_nothing_links_gives_no_verdict():
    from policykg.qa.yesno import decide, unlinked_zh

    def idf(term):
        return 1.0

    groups = [["旅游"], ["转让"], ["合同"]]
    v = decide("旅游者可以将合同转让给第三人。", "旅游经营者可以转让合同吗？", groups, idf, "zh")
    assert not v.answer  # the sentence permits the traveller, not the travel agency
    v = decide("旅游者可以将合同转让给第三人。", "旅游者可以转让合同吗？", groups, idf, "zh")
    assert v.answer == "yes"
    assert unlinked_zh("子女需要为父母还钱吗？", [["子女"], ["父母"]]) == 1  # 还钱: no term holds it
    assert unlinked_zh("用人单位能不能扣押劳动者的身份证？", [["用人单位"], ["扣押"], ["劳动者"], ["身份证"]]) == 0
    v = decide("子女应当尊重父母的婚姻权利，不得干涉父母离婚。", "子女需要为父母还钱吗？", [["子女"], ["父母"]], idf, "zh")
    assert not v.answer


def test_conditions_and_subjects_of_the_deciding_scope():
    from policykg.qa.yesno import condition_before, decide, unlinked_zh

    def idf(term):
        return 1.0

    s = "出租人对租赁物享有的所有权，未经登记，不得对抗善意第三人。"
    assert condition_before(s, s.find("不得")) == "未经登记"  # a verdict that holds only then names it
    v = decide(s, "出租人对租赁物享有的所有权，可以对抗第三人吗？",
               [["出租人"], ["租赁物"], ["所有权"], ["对抗"], ["第三人"]], idf, "zh")
    assert v.answer == "no" and v.condition == "未经登记"
    # 出租人有权请求 does not answer whether the lessee must pay
    v = decide("出租人有权请求承租人赔偿相应损失。", "承租人需要赔偿出租人损失吗？",
               [["出租人"], ["承租人"], ["赔偿"], ["损失"]], idf, "zh")
    assert not v.answer
    # 申请 inside 申请人 is no act of applying
    assert unlinked_zh("申请人可以申请听证吗？", [["申请人"], ["听证"]], "申请人不承担听证的费用。") == 1


def test_related_lay_words_and_coordinated_nouns_decide_nothing():
    from policykg.qa.yesno import decide

    def idf(term):
        return 1.0

    # the lay lexicon lists 书面形式 for 口头 (for retrieval): "may it be oral?" is not "must be written"
    v = decide("保理合同应当采用书面形式。", "保理合同可以口头订立吗？",
               [["订立"], ["保理"], ["合同"], ["口头", "口头形式", "书面形式"]], idf, "zh")
    assert not v.answer
    # 不能 inside `…或者不能独立生活的成年子女` is part of a noun, no verdict
    v = decide("父母不履行抚养义务的，未成年子女或者不能独立生活的成年子女，有要求父母给付抚养费的权利。",
               "子女需要为父母还钱吗？", [["父母"], ["子女"], ["还钱", "返还借款", "清偿"]], idf, "zh")
    assert not v.answer


def test_a_cut_off_piece_of_the_question_is_no_term():
    from policykg.qa.yesno import decide

    v = decide("存货人交付仓储物的，保管人应当出具仓单、入库单等凭证。", "存货人交付仓储物后，保管人是否必须出具凭证？",
               [["保管人"], ["出具"], ["凭证"], ["交付"], ["物后"], ["存货"], ["仓储"]], lambda t: 1.0, "zh")
    assert v.answer == "yes"  # 物后 (of 仓储物后) is no word the sentence must hold


def test_a_list_lead_in_granting_another_act_decides_nothing_for_its_item():
    from policykg.qa.yesno import decide

    s = "用人单位有下列情形之一的，劳动者可以解除劳动合同：（三）未依法为劳动者缴纳社会保险费的"
    groups = [["用人单位"], ["缴纳"], ["社会保险费"]]
    v = decide(s, "用人单位必须缴纳社会保险费吗？", groups, lambda t: 1.0, "zh", listed=True)
    assert not v.answer  # the lead-in grants the worker a termination, it does not answer "must the employer pay?"
    v = decide(s, "用人单位未缴纳社会保险费，劳动者可以解除劳动合同吗？", groups + [["解除劳动合同"]], lambda t: 1.0,
               "zh", listed=True)
    assert v.answer == "yes"
