"""Answers over real regulations (issue 12, the answer part): plain negations and need-not, "must"
against "may" (permitted, not required), verdicts under a condition the question does not state,
the figure of the case a question names as a bare figure, several-part questions answered part by
part, English renderings and titles, and the held-out set tests/data/qa-heldout.jsonl. Stores
are built at test time from a few laws of ../shared/library (never copied into the repo)."""
from __future__ import annotations

import pytest

from conftest import DATA, ROOT, library_store

# 劳动法, 社会保险法, 保障农民工工资支付条例
LAWS = ("law-5de52ddb", "law-6fc498e8", "law-2c106df9")
# the held-out set's laws (7) and three distractors
HELD_OUT = ("law-430645f0", "law-d1588c07", "law-91947327", "law-7fcdaa92", "law-aa16f293", "law-920aef1b",
            "law-d543399e", "law-ef955985", "law-2c106df9", "law-ce37ad85")


@pytest.fixture(scope="module")
def laws(tmp_path_factory):
    return library_store(tmp_path_factory, "labour", LAWS)


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    from policykg.app import PolicyKG

    kg = PolicyKG(store=str(tmp_path_factory.mktemp("own") / "kg"))
    kg.build([DATA / "lawqa"])
    return kg


def _ask(kg, q):
    from policykg.qa import answer

    return answer(kg.searcher, q)


def _first(r):
    return r["citations"][0]["document"], r["citations"][0]["number"]


def test_a_plain_negation_answers_no(laws):
    r = _ask(laws, "职工需要自己缴纳工伤保险费吗？")  # 职工不缴纳工伤保险费
    assert r["answer"].startswith("不") and not r["abstained"] and _first(r) == ("law-6fc498e8", 33)
    r = _ask(laws, "Do employees pay maternity insurance premiums?")  # the duty to join is not the answer
    assert r["answer"].startswith("No.") and not r["abstained"] and _first(r) == ("law-6fc498e8", 53)
    assert "does not pay maternity insurance premiums" in r["answer"]


def test_must_against_may_is_permitted_not_required(laws):
    r = _ask(laws, "Must a labour contract include a probation period?")  # 劳动合同可以约定试用期
    assert r["answer"].startswith("Not required") and "permits" in r["answer"] and not r["abstained"]
    assert _first(r) == ("law-5de52ddb", 21)
    r = _ask(laws, "劳动合同必须约定试用期吗？")
    assert r["answer"].startswith("不是必须的") and _first(r) == ("law-5de52ddb", 21)
    r = _ask(laws, "Can a labour contract include a probation period?")
    assert r["answer"].startswith("Yes.") and _first(r) == ("law-5de52ddb", 21)


def test_a_prohibition_the_other_clauses_of_the_sentence_do_not_outweigh(laws):
    r = _ask(laws, "Can an employer pay migrant workers' wages in goods or vouchers?")  # 应当…，不得以实物…
    assert r["answer"].startswith("No.") and _first(r) == ("law-2c106df9", 11)


def test_a_verdict_under_a_condition_names_it(own):
    r = _ask(own, "劳动合同可以约定试用期吗？")  # 第六条: only contracts under three months
    assert r["answer"].startswith("仅在“劳动合同期限不满三个月”的情形下：不可以") and _first(r) == ("hire-rules", 6)
    r = _ask(own, "Can a labour contract include a probation period?")
    assert r["answer"].startswith("No, but only in the case the provision names: where")
    assert "less than 3 months" in r["answer"]
    r = _ask(own, "用人单位可以收取押金吗？")  # `录用…时` is a time, not a case
    assert r["answer"].startswith("不可以。")


def test_a_quantity_asked_must_be_stated(laws):
    from policykg.qa.yesno import decide

    rule = "用人单位应当保证劳动者每周至少休息一日"
    v = decide(rule, "Must workers get two days off a week?", [["休息"], ["每周"]], lambda t: 1.0, "en")
    assert v.answer == ""
    assert decide(rule, "Must workers get one day off a week?", [["休息"], ["每周"]], lambda t: 1.0, "en").answer == "yes"


def test_no_verdict_from_a_list_lead_in(laws):
    r = _ask(laws, "劳动者可以随时通知用人单位解除劳动合同吗？")  # 有下列情形之一的，…可以…：
    assert not r["answer"].startswith(("可以", "不可以")) and _first(r) == ("law-5de52ddb", 32)
    assert r["abstained"] or r["answer"].startswith("仅在“")  # only in a case of the list, named


def test_an_item_is_read_with_its_lead_in(laws):
    r = _ask(laws, "在试用期内，劳动者可以随时通知用人单位解除劳动合同吗？")  # 第三十二条（一）
    assert r["answer"].startswith("可以。") and not r["abstained"]
    assert _first(r) == ("law-5de52ddb", 32) and r["citations"][0]["item"] == 1
    assert "有下列情形之一的" in r["answer"] and "试用期内" in r["answer"]


def test_a_verdict_binds_its_own_party():
    from policykg.qa.yesno import decide

    rule = "在试用期中，用人单位不得解除劳动合同"
    groups = [["试用期"], ["解除劳动合同"]]
    assert decide(rule, "劳动者在试用期中可以解除劳动合同吗？", groups, lambda t: 1.0, "zh").answer == ""
    assert decide(rule, "用人单位在试用期中可以解除劳动合同吗？", groups, lambda t: 1.0, "zh").answer == "no"


def test_the_case_of_a_bare_figure(laws):
    r = _ask(laws, "How long can I receive unemployment benefit if I paid contributions for seven years?")
    assert "18 months" in r["answer"] and "12 months" not in r["answer"] and not r["abstained"]
    assert _first(r) == ("law-6fc498e8", 46)


def test_how_much_without_money_is_answered_by_a_share(laws):
    r = _ask(laws, "How much must an employer pay for work on a statutory holiday?")  # 百分之三百, item (三)
    assert "300%" in r["answer"] and "150%" not in r["answer"] and not r["abstained"]
    assert _first(r) == ("law-5de52ddb", 44) and r["citations"][0]["item"] == 3


def test_the_unit_and_rate_asked_for():
    from policykg.qa.measure import asked, figures_in

    assert asked("每月最多延长多少小时？", "zh") == asked("How many hours a month at most?", "en")
    assert asked("试用期最长多少天？", "zh").unit == "day" and asked("多久？", "zh").kind == "time"
    # dates are no figures; 周岁 is an age, 个月 a month
    assert figures_in("自2008年1月1日起，年满十六周岁，暂扣六个月") == [("age", ""), ("month", "")]
    days = asked("需要提前多少天通知？", "zh")
    assert days.fit("应当提前三十日通知") == 1 and days.fit("不得超过三个月") == 0  # a month still states it
    assert days.fit("处二千元以下罚款") == -1  # an amount states no period
    assert asked("每月最多多少小时？", "zh").fit("每日不得超过三小时，但是每月不得超过三十六小时") == 2


def test_a_figure_at_the_rate_asked_is_quoted(laws):
    r = _ask(laws, "用人单位延长工作时间，每月最多多少小时？")  # 每日…三小时，但是每月…三十六小时
    assert r["answer"].startswith("但是每月不得超过三十六小时") and _first(r) == ("law-5de52ddb", 41)


def test_several_parts_get_one_unit_each(laws):
    r = _ask(laws, "Can an employer extend working hours, and by how many hours a day at most in general?")
    assert r["answer"].startswith("(1) Yes.") and "(2)" in r["answer"] and "1 hour" in r["answer"]
    r = _ask(laws, "用人单位延长工作时间一般每日不得超过几小时，每月不得超过多少小时？")
    assert r["answer"].startswith("（1）") and "（2）" in r["answer"]
    assert "一小时" in r["answer"] and "三十六小时" in r["answer"] and not r["abstained"]
    # a case before the second part is that part's, not the first's
    r = _ask(laws, "失业保险费由谁缴纳，累计缴费满一年不足五年的，领取失业保险金的期限最长多久？")
    first, second = r["answer"].split("（2）")
    assert "共同缴纳失业保险费" in first and "十二个月" in second and "十八个月" not in r["answer"]
    assert {("law-6fc498e8", 44), ("law-6fc498e8", 46)} <= {(c["document"], c["number"]) for c in r["citations"]}


def test_a_later_part_does_not_repeat_the_quote(laws):
    r = _ask(laws, "因特殊原因延长工作时间，每日最多几小时，每月最多多少小时？")  # both from one sentence
    first, second = r["answer"].split("（2）")
    assert "三小时" in first and second.startswith("但是每月不得超过三十六小时") and "原文见（1）" in second
    assert r["answer"].count("每日不得超过三小时") == 2 and "_quoted" not in r  # focus and quote, once
    r = _ask(laws, "For special reasons, how many hours a day and how many hours a month at most can working "
                   "hours be extended?")
    first, second = r["answer"].split("(2)")
    assert "3 hours" in first and "(quoted in (1))" in second and "36 hours" in second and "“" not in second


def test_english_numbers_and_words_the_general_list_lacks(laws):
    from policykg.qa import english_numbers, number_groups
    from policykg.qa.render import gloss

    assert english_numbers("a child under sixteen, twenty-five years, 3 months") == [
        ("sixteen", 16), ("twenty five", 25), ("3", 3)]
    assert number_groups("under 16") == [["十六", "16"]]
    r = _ask(laws, "Can an employer hire a child under sixteen?")  # 未满十六周岁的未成年人
    assert r["answer"].startswith("No.") and _first(r) == ("law-5de52ddb", 15)
    assert "16 years of age" in r["answer"]  # 周岁 is no week
    r = _ask(laws, "Can an employer employ a fifteen-year-old?")  # no sentence states fifteen: no verdict
    assert not r["answer"].startswith("Yes") and not (r["answer"].startswith("No") and "妇女" in r["answer"])
    assert gloss("劳动保障监察") == "labour inspection" and gloss("不再查处") == "no longer investigated"


def test_who_must_names_the_party(laws):
    r = _ask(laws, "Who must pay the work-injury insurance premiums?")
    assert "用人单位缴纳工伤保险费" in r["answer"] and _first(r) == ("law-6fc498e8", 33)


def test_english_rendering_and_titles(own):
    from policykg.qa.render import render_sentence, title_en

    assert render_sentence("劳动合同期限不满三个月的，不得约定试用期。") == \
        "Where term of the labour contract less than 3 months, must not agree probation period"
    assert render_sentence("每日不得超过三小时，但是每月不得超过三十六小时") == \
        "Per day must not exceed 3 hours, but per month must not exceed 36 hours"  # 小时， is no condition
    assert render_sentence("职工不缴纳工伤保险费") == "The employee does not pay work-injury insurance premiums"
    assert render_sentence("对怀孕7个月以上的女职工，用人单位不得安排夜班劳动") .endswith(
        "the employer must not arrange night work")
    assert title_en("中华人民共和国社会保险法") == "Social Insurance Law"
    assert title_en("国务院关于职工工作时间的规定") == "Provisions of the State Council on Working Hours of Employees"
    assert title_en("示例区人才激励办法（草案）") == ""  # not covered: the Chinese title stands alone
    r = _ask(own, "Can an employer take a deposit from a worker when hiring?")
    assert "Article 2 of 《示例市用工管理规定》" in r["answer"]


def test_held_out_answers_over_laws_no_set_was_tuned_on(tmp_path_factory):
    """tests/data/qa-heldout.jsonl: 35 questions (Chinese and English) over seven laws, written
    before the answer changes of this issue and never tuned on: a regression floor, not a target."""
    from policykg.qa.evaluate import evaluate_file, format_report

    kg = library_store(tmp_path_factory, "heldout", HELD_OUT)
    result = evaluate_file(kg.searcher, ROOT / "tests" / "data" / "qa-heldout.jsonl")
    assert result["passed"] >= 20, format_report(result)
    wrong_verdict = [r["id"] for r in result["results"] if not r["abstained"]  # never a wrong Yes/No
                     and any("forbidden pattern '^" in x for x in r["reasons"])]
    assert not wrong_verdict, format_report(result)
    # an amount stated in months of wage answers an amount question, for the grade asked
    r = _ask(kg, "八级伤残的一次性伤残补助金是多少？")  # 八级伤残为11个月的本人工资
    assert not r["abstained"] and r["answer"].startswith("八级伤残为11个月的本人工资")
    # everyday words name the party and the object (商场 → 经营者, 顾客 → 消费者): 不得搜查消费者的身体
    r = _ask(kg, "超市能搜顾客的包吗？")
    assert not r["answer"].startswith(("可以", "是"))
