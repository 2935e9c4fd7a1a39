"""The Chinese-text toolkit (policykg.text): numerals, sentences, modality, amounts."""
from __future__ import annotations

from decimal import Decimal

import pytest

from policykg.text import (TABLE, cn_to_int, find_money, kind_of, modal_markers, parse_number, percent,
                           split_sentences, yuan, yuan_en)


@pytest.mark.parametrize("text, value", [
    ("一千零一", 1001), ("一千二百六十", 1260), ("两万", 20000), ("十万", 100000), ("〇", 0), ("零", 0),
    ("十", 10), ("十四", 14), ("二十", 20), ("一百五十", 150), ("两百", 200), ("百", 100), ("一千", 1000),
    ("3万", 30000), ("1.5万", 15000), ("3,000", 3000), ("12", 12), ("二〇二三", 2023),
])
def test_numeral_table(text, value):
    assert parse_number(text) == Decimal(value)


@pytest.mark.parametrize("label, number", [
    ("第一千二百六十条", 1260), ("第一千零一条", 1001), ("第十二条", 12), ("第3条", 3), ("（三）", 3),
    ("十四、", 14), ("第二章", 2), ("九", 9),
])
def test_labels(label, number):
    assert cn_to_int(label) == number


@pytest.mark.parametrize("text", ["abc", "", "第条", "一点五"])
def test_not_numerals(text):
    assert cn_to_int(text) is None


@pytest.mark.parametrize("text, value", [
    ("十万元", 100000), ("最高10万元", 100000), ("1.5万元", 15000), ("两万元", 20000), ("3,000元", 3000),
    ("一千零一元", 1001), ("五千元", 5000),
])
def test_yuan(text, value):
    assert yuan(text) == Decimal(value)


def test_yuan_in_english():
    assert yuan_en("十万元") == "100,000 yuan"
    assert yuan_en("最高1.5万元") == "15,000 yuan"
    assert yuan_en("没有金额") == ""


def test_money_maximum_and_period():
    [m] = find_money("每人每年最高补贴十万元")
    assert (m.value, m.is_max, m.period) == (Decimal(100000), True, "每人每年")


@pytest.mark.parametrize("text, value", [("30%", 30), ("百分之三十", 30), ("三成", 30), ("1/4", 25), ("四分之一", 25)])
def test_percent(text, value):
    assert percent(text) == Decimal(value)


def test_one_sentence_splitter():
    text = "第一句话。第二句；\n  第三句！\n\n。末句没有句号"
    got = split_sentences(text)
    assert [s.text for s in got] == ["第一句话。", "第二句；", "第三句！", "末句没有句号"]
    assert all(text[s.start:s.end] == s.text for s in got)
    assert [s.index for s in got] == [0, 1, 2, 3]


def test_modality_table():
    assert {kind_of(m) for m in TABLE} == {"obligation", "prohibition", "encouragement", "permission"}
    words = {w: m for m in TABLE.values() for w in m.words}
    for word, kind in [("要", "obligation"), ("应", "obligation"), ("应当", "obligation"), ("必须", "obligation"),
                       ("不得", "prohibition"), ("禁止", "prohibition"), ("鼓励", "encouragement"),
                       ("支持", "encouragement"), ("可", "permission"), ("可以", "permission")]:
        assert words[word].kind == kind
    assert all(m.zh and m.en for m in TABLE.values())


def test_modal_markers_skip_look_alikes():
    found = [(w, m) for _, w, m in modal_markers("企业不允许转包，重要的是相应部门可以参与")]
    assert found == [("不允许", "prohibit"), ("可以", "may")]


def test_a_code_numbered_to_article_1260_keeps_every_article():
    import cn2an

    from policykg.ingest.model import DocumentMeta
    from policykg.ingest.segment import segment

    lines = ["某某法"] + [f"第{cn2an.an2cn(i)}条　本条规定第{i}项事项。" for i in range(1, 1261)]
    doc = segment(DocumentMeta(id="code", title="某某法", level="national"), lines)
    assert [c.number for c in doc.clauses] == list(range(1, 1261))
    assert doc.clauses[1000].label == "第一千零一条" and doc.clauses[-1].label == "第一千二百六十条"


def test_the_toolkit_sits_below_everything():
    """text/ imports nothing of policykg (but its errors): ingest, extract, search, qa and check import it."""
    import ast

    from conftest import ROOT

    for path in sorted((ROOT / "text").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            bad = [n for n in names if n.startswith("policykg") and n != "policykg.errors"]
            assert not bad, f"{path.name} imports {bad}"
