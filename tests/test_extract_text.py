"""Modality, figures and placeholders extracted from clause text (pure functions, no store)."""
from __future__ import annotations

import pytest

from policykg.extract.figures import find_figures, same_indicator, same_value
from policykg.extract.modality import find_obligations, split_units
from policykg.extract.placeholders import find_placeholders

DRAFT_TARGETS = ("“十四五”时期，建设高技能人才培养平台 家，选树高技能领军人才 名，新增高技能人才 万名。到2025年，"
                 "本区技能人才占就业人员比例超过 ，高技能人才占技能人才比例超过 ，力争到2035年，高技能人才数量相适应。")


# -- placeholders -------------------------------------------------------------------------------
def test_blanks_in_the_draft_targets():
    found = find_placeholders(DRAFT_TARGETS)
    assert [p.evidence for p in found] == [
        "建设高技能人才培养平台＿家", "选树高技能领军人才＿名", "新增高技能人才＿万名",
        "本区技能人才占就业人员比例超过＿", "高技能人才占技能人才比例超过＿"]


@pytest.mark.parametrize("text", ["给予____万元奖励", "由××部门负责", "补贴标准为＿＿元", "到 年底完成", "比例达到（ ）",
                                  "比例达到%以上", "补贴标准（待定）", "本办法自 年 月 日起施行"])
def test_other_blank_forms(text):
    assert len(find_placeholders(text)) == 1


@pytest.mark.parametrize("text", [
    "建设100家高技能人才培养平台，新增20万名高技能人才。", "经济增长，就业稳定。", "按照A类顶尖人才、B类杰出人才评价认定。",
    "本措施自2024年3月1日起施行。", "技能人才占就业人员的比例达到30%以上。", "Hello World 2个"])
def test_no_blank_in_complete_text(text):
    assert find_placeholders(text) == []


# -- figures --------------------------------------------------------------------------------------
def test_ratio_targets_and_fraction():
    figs = find_figures("技能人才占就业人员的比例达到30%以上，高技能人才占技能人才的比例达到1/3，"
                        "东部省份高技能人才占技能人才的比例达到35%。力争到2035年，规模持续壮大。")
    assert [(f.indicator, f.value, f.unit) for f in figs] == [
        ("技能人才占就业人员的比例", 30.0, "%"), ("高技能人才占技能人才的比例", 33.3333, "%"),
        ("东部省份高技能人才占技能人才的比例", 35.0, "%")]
    assert "以上" in figs[0].comparison


def test_counts_with_magnitude_and_following_indicator():
    figs = find_figures("到2027年，全省建设100家高技能人才培养平台，选树1000名高技能领军人才，新增20万名高技能人才。")
    assert [(f.indicator, f.value, f.unit) for f in figs] == [
        ("建设高技能人才培养平台", 100.0, "家"), ("选树高技能领军人才", 1000.0, "名"), ("新增高技能人才", 200000.0, "名")]


def test_share_used_for_training_and_money():
    (share,) = find_figures("企业要按规定足额提取和使用职工教育经费，60%以上用于一线职工教育和培训。")
    assert (share.indicator, share.value, share.comparison) == ("用于一线职工教育和培训", 60.0, "以上")
    (money,) = find_figures("获得“嘉定工匠终身成就奖”的，给予最高10万元奖励。")
    assert (money.value, money.unit, money.comparison) == (100000.0, "元", "最高")


def test_years_are_not_figures():
    assert find_figures("到2025年，力争到2035年，“十四五”时期末") == []


def test_same_indicator_is_ratio_aware():
    national = find_figures("技能人才占就业人员的比例达到30%以上，高技能人才占技能人才的比例达到1/3。")
    shanghai = find_figures("全市技能人才在就业人员中的占比超过30%，高技能人才在技能人才中的占比超过35%。")
    draft = find_figures("本区技能人才占就业人员比例超过25%。")[0]
    assert same_indicator(draft, national[0]) and same_indicator(draft, shanghai[0])
    assert not same_indicator(draft, national[1]) and not same_indicator(draft, shanghai[1])
    assert not same_value(draft, national[0]) and same_value(national[0], shanghai[0])
    fifty = find_figures("其中不低于50%用于一线职工教育和培训。")[0]
    sixty = find_figures("60%以上用于一线职工教育和培训。")[0]
    assert same_indicator(fifty, sixty) and not same_value(fifty, sixty)


# -- modality -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, modality, party", [
    ("行业主管部门和行业组织要结合本地产业特点，做好技能人才需求预测。", "must", "行业主管部门和行业组织"),
    ("各行业主管部门可结合本行业发展趋势和人才需求，做好高技能人才供需预测和培养规划。", "may", "各行业主管部门"),
    ("鼓励各类企业将高技能人才培养纳入企业发展总体规划和年度计划。", "encourage", "各类企业"),
    ("支持具备培训能力的大企业自主开展职工培训。", "support", "具备培训能力的大企业"),
    ("企业应当按规定足额提取职工教育经费。", "should", "企业"),
    ("国有企业在薪酬分配上要向一线技能人才倾斜。", "must", "国有企业"),
    ("企业必须设立技能津贴。", "must", "企业"),
    ("建立高技能人才休假疗养制度。", "plain", ""),
    ("构建以行业企业为主体、职业学校为基础、政府推动与社会支持相结合的高技能人才培养体系。", "plain", ""),
])
def test_modality_and_party(text, modality, party):
    (ob,) = find_obligations(text)
    assert (ob.modality, ob.party) == (modality, party)


def test_lookalike_words_are_not_modal():
    for text in ("提高全社会对技能人才的认可认同。", "推动职业技能评价与终身职业技能培训制度相适应。",
                 "完善重要职业标准。", "满足产业发展需要。"):
        assert find_obligations(text)[0].modality == "plain", text


def test_units_split_at_a_new_duty_not_inside_one():
    units = [u for _, u in split_units("企业可设立技能津贴、班组长津贴、带徒津贴等，支持鼓励高技能人才在岗位上发挥技能。"
                                       "鼓励各类企业在聘的高技能人才在学习进修等方面，分别比照相应层级专业技术人员享受同等待遇。")]
    assert len(units) == 3
    assert units[2].startswith("鼓励各类企业") and units[2].endswith("享受同等待遇。")
    obs = find_obligations("落实企业职工培训补贴政策，支持具备培训能力的大企业自主开展职工培训。")
    assert [o.modality for o in obs] == ["plain", "support"]


def test_modal_word_after_leading_adverbials():
    (ob,) = find_obligations("对校企合作成效显著的企业，区政府可予以表扬。")
    assert (ob.modality, ob.party) == ("may", "区政府")
    (ob,) = find_obligations("对校企合作成效显著的企业，各级政府按规定予以表扬。")
    assert ob.modality == "plain"
