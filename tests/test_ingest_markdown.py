"""Ingest rules on documents of our own (tests/data/markdown, tests/data/skip): markdown structure and
header events, article numbers, paragraphs and items, documents numbered only 一、, single-clause
documents, the reader registry, and skipping what can't be segmented (build --strict)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import DATA
from policykg.errors import InputError
from policykg.ingest import Document, load_corpora
from policykg.ingest.header import header_events, iso_date, kinds
from policykg.ingest.manifest import read_manifest
from policykg.ingest.model import SUB_ARTICLE, DocumentMeta
from policykg.ingest.read_markdown import parse_markdown
from policykg.ingest.readers import Source, lines_source, register, suffixes, unregister
from policykg.ingest.segment import cn_to_int, segment

MARKDOWN = re.compile(r"^#|<!--|\*\*|__|\]\(|^\s*>|^\|")


@pytest.fixture(scope="module")
def docs() -> dict[str, Document]:
    return {d.id: d for d in load_corpora([DATA / "markdown"])}


def _meta(doc_id: str = "t") -> DocumentMeta:
    return DocumentMeta(id=doc_id, title="t", level="other")


def test_numerals_into_the_thousands():
    cases = {"九": 9, "十四": 14, "一百零五": 105, "九百八十九": 989, "一千": 1000, "一千零一": 1001,
             "一千二百六十": 1260, "第一千二百六十条": 1260, "（三）": 3, "十四、": 14, "12": 12, "3.": 3,
             "①": 1, "两百": 200, "〇": 0}
    assert {k: cn_to_int(k) for k in cases} == cases
    assert cn_to_int("第条") is None and cn_to_int("甲") is None


def test_markdown_headings_are_structure_not_text(docs):
    code = docs["code-part"]
    assert [(s.label, s.title) for s in code.sections] == [
        ("第三编", "示范责任"), ("第一章", "一般规定"), ("第二章", "责任承担"), ("第一节", "一般责任"),
        ("第二节", "特别责任"), ("", "附则")]
    assert [s.level for s in code.sections] == [2, 3, 3, 4, 4, 2]  # the markdown heading levels
    # a section's first clause, also for a 编 whose first clause is under its first 章
    assert [s.first_clause for s in code.sections] == [989, 989, 999, 999, 1001, 1260]
    assert code.clause(990).text == "示范活动应当遵循公平原则。\n当事人另有约定的，从其约定。"
    assert code.clause(1000).section_label == "第一节" and code.clause(1000).section_title == "一般责任"
    assert code.sections[code.clause(1000).section - 1].title == "一般责任"
    for doc in docs.values():
        for clause in doc.clauses:
            assert not any(MARKDOWN.search(line) for line in clause.text.split("\n")), (doc.id, clause.label)
            assert "INFO END" not in clause.text and "第二章" not in clause.text
    assert code.clause(1001).text.startswith("重大示范活动的责任")  # **emphasis** is reduced to its text
    assert code.preamble == "某某示范法典（第三编）"  # the title; header lines are metadata


def test_header_lines_become_events(docs):
    code = docs["code-part"]
    assert len(code.header) == 5 and code.header[0].startswith("2001年3月15日")
    assert [(e.kind, e.date) for e in code.events] == [
        ("adopted", "2001-03-15"), ("amended", "2010-06-30"), ("revised", "2018-12-29"),
        ("promulgated", "2019-01-05"), ("in_force", "2019-07-01"), ("in_force", "2021-01-01")]
    assert [e.clause for e in code.events] == [0, 0, 0, 0, 0, 1260]  # the last one stated by 第一千二百六十条
    assert Document.from_dict(code.to_dict()) == code


def test_history_in_the_preamble_of_a_provincial_regulation(docs):
    regulation = docs["provincial"]  # .txt: （…通过 根据…修正 …修订） under the title
    assert [(e.kind, e.date, e.clause) for e in regulation.events] == [
        ("adopted", "2004-05-01", 0), ("amended", "2010-09-17", 0), ("revised", "2019-03-28", 0),
        ("in_force", "2019-07-01", 3)]
    assert regulation.events[0].text.endswith("会议通过")
    assert [s.label for s in regulation.sections] == ["第一章", "第二章"] and len(regulation.clauses) == 3


def test_event_kinds_read_outside_quoted_titles():
    assert kinds("2016年2月6日 《国务院关于修改部分行政法规的决定》第一次修订") == ["revised"]
    assert kinds("2009年8月27日 第十一届会议通过的《关于修改部分法律的决定》") == ["amended"]
    assert kinds("1999年3月15日 全国人民代表大会公告公布施行") == ["promulgated", "in_force"]
    assert kinds("2020年12月14日 国务院第118次常务会议修订通过") == ["revised"]
    assert kinds("2018年2月23日 审判委员会第1734次会议") == ["other"]
    assert iso_date("一九九四年十二月六日") == "1994-12-06" and iso_date("２０１３年１月１日 施行") == "2013-01-01"
    # a long line broken by the publisher continues the statement before it
    events = header_events(["2019年8月26日 第十三届会议《关于修改〈某某法〉", "〈另一法〉的决定》第三次修正",
                            "1984年4月4日 国务院", "中央军委发布", "发布之日施行"])
    assert [(e.kind, e.date) for e in events] == [("amended", "2019-08-26"), ("promulgated", "1984-04-04"),
                                                  ("in_force", "1984-04-04")]


def test_article_numbers(docs):
    code = docs["code-part"]
    assert [c.number for c in code.clauses] == [989, 990, 999, 1000, SUB_ARTICLE + 1000, 2 * SUB_ARTICLE + 1000,
                                                1001, 1260]
    assert [c.label for c in code.clauses][4:6] == ["第一千条之一", "第一千条之二"]
    assert code.clause(11000).label == "第一千条之一" and code.clause(1260).label == "第一千二百六十条"
    assert len({c.number for c in code.clauses}) == len(code.clauses)


def test_paragraphs_and_items_are_citable(docs):
    clause = docs["code-part"].clause(999)
    assert [p.number for p in clause.paragraphs] == [1, 2]
    first, second = clause.paragraphs
    assert first.text.startswith("有下列情形之一的") and first.text.endswith("其他违反本编规定的情形。")
    assert [(i.label, i.number) for i in first.items] == [("（一）", 1), ("（二）", 2), ("（三）", 3)]
    assert first.items[1].text == "擅自变更示范内容，包括：\n1. 变更示范地点；\n2. 变更示范时间；"  # sub-items stay
    assert second.text == "前款第三项规定的情形，由示范机构认定。" and not second.items
    assert clause.paragraph(1).items[2].text == "其他违反本编规定的情形。"  # 第一款第三项
    assert [i.label for i in clause.items] == ["（一）", "（二）", "（三）"]
    assert clause.text == "\n".join(p.text for p in clause.paragraphs)


def test_decision_numbered_only_by_sections_keeps_its_first_item(docs):
    decision = docs["decision"]
    assert [c.label for c in decision.clauses] == ["一、", "二、", "三、"]
    assert decision.clause(1).text == "各级示范机构应当建立示范工作制度。"  # it sat under a ## heading
    assert decision.preamble.endswith("作出如下决定：")
    assert [(e.kind, e.date) for e in decision.events] == [("adopted", "2020-08-11")]


def test_notice_numbered_by_headings(docs):
    notice = docs["notice"]
    assert [(c.label, c.title) for c in notice.clauses] == [("一、", "提高认识"), ("二、", "加强组织"), ("三、", "抓好落实")]
    two = notice.clause(2)
    assert [p.text for p in two.paragraphs] == ["各单位要明确责任人，建立工作台账。", "落实情况于每季度末报送。"]
    assert two.text.startswith("加强组织\n") and notice.preamble.startswith("某示范局关于做好示范工作的通知\n各区示范局：")


def test_single_clause_documents(docs):
    assert [(c.number, c.label) for c in docs["single-article"].clauses] == [(1, "第一条")]
    assert [(c.number, c.label, c.title) for c in docs["single-paren"].clauses] == [(1, "（一）", "示范补贴")]
    one = segment(_meta(), ["某区通知", "一、本通知自发布之日起施行。"])
    assert [c.label for c in one.clauses] == ["一、"]


def test_articles_out_of_sequence():
    lines = ["第三十条 某法第十条修改为两款，内容如下：", "第二节 新增一节", "第一百二十三条 被引用的新条文。",
             "第一百二十四条 另一条被引用的新条文。", "第三十一条 下一条修改。", "第三十三条 缺了一条也接着编。"]
    doc = segment(_meta(), lines)
    # articles quoted by an amending article stay its text; a missing article or two does not break the run
    assert [c.number for c in doc.clauses] == [30, 31, 33]
    assert "第一百二十三条 被引用的新条文。" in doc.clause(30).text and not doc.sections
    # after a heading the numbering may jump (a source that leaves articles out)
    jump = segment(_meta(), ["第一章 总则", "第一条 甲。", "第二章 分则", "第十一条 乙。", "第十二条 丙。"])
    assert [c.number for c in jump.clauses] == [1, 11, 12]
    # a reference at the start of a line is not an article
    ref = segment(_meta(), ["第一条 甲。", "第二条 乙。", "第一条的规定适用于丙。"])
    assert [c.number for c in ref.clauses] == [1, 2] and ref.clause(2).text.endswith("适用于丙。")


def test_markdown_inline_markup():
    source = parse_markdown("# 标题\n\n<!-- INFO END -->\n\n## 第一章 总则\n\n> 第一条 **甲**、[乙](http://x)和`丙`。\n\n"
                            "| 项目 | 标准 |\n| --- | --- |\n| 补贴 | 100元 |\n\n---\n\n- 第二条 丁。<br>戊。\n")
    assert source.title == "标题" and source.header == []
    assert [(b.text, b.heading) for b in source.blocks] == [
        ("第一章 总则", 2), ("第一条 甲、乙和丙。", 0), ("项目 标准", 0), ("补贴 100元", 0), ("第二条 丁。", 0), ("戊。", 0)]


def test_reader_registry_takes_a_new_format(tmp_path):
    assert {".txt", ".md", ".html", ".htm", ".docx"} <= set(suffixes())

    @register(".toy")
    def read_toy(path: Path, raw: bytes) -> Source:  # a toy format: clauses separated by "|"
        return lines_source(raw.decode("utf-8").replace("|", "\n"))

    try:
        (tmp_path / "doc.toy").write_text("示范规定|第一条 甲。|第二条 乙。", encoding="utf-8")
        (tmp_path / "manifest.toml").write_text(
            '[[document]]\nid = "toy"\ntitle = "示范规定"\nlevel = "other"\nfile = "doc.toy"\n', encoding="utf-8")
        (doc,) = load_corpora([tmp_path])
        assert [c.text for c in doc.clauses] == ["甲。", "乙。"]
    finally:
        unregister(".toy")
    with pytest.raises(InputError, match=r"field 'file'.*unsupported type \(use \.txt, \.md"):
        read_manifest(tmp_path)


def test_unsegmentable_document_is_skipped_with_its_reason():
    skipped = []
    docs = load_corpora([DATA / "skip"], on_skip=skipped.append)
    assert [d.id for d in docs] == ["good"]
    assert [s.id for s in skipped] == ["unnumbered"] and "no clause found" in skipped[0].reason
    assert str(skipped[0]).startswith("skipped unnumbered (") and "\n" not in str(skipped[0])
    with pytest.raises(InputError, match="no clause found in document 'unnumbered'"):
        load_corpora([DATA / "skip"])  # without on_skip it is an error


def test_cli_build_skips_and_strict_fails(tmp_path, cli):
    store = tmp_path / "store"
    built = cli("build", "--corpus", DATA / "skip", "--store", store)
    assert built.returncode == 0, built.stderr
    assert "warning: skipped unnumbered" in built.stderr and "no clause found" in built.stderr
    assert "skipped 1: unnumbered" in built.stdout and "good (2 clauses)" in built.stdout
    before = cli("show", "good", "2", "--store", store).stdout
    strict = cli("build", "--strict", "--corpus", DATA / "skip", "--store", store)
    assert strict.returncode == 2 and strict.stderr.count("\n") == 1 and "--strict" in strict.stderr
    assert "unnumbered" in strict.stderr
    assert cli("show", "good", "2", "--store", store).stdout == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.")]


def test_markdown_without_header_or_heading_marks():
    # a provincial regulation as markdown with plain chapter lines and no INFO END: chapters are still structure
    source = parse_markdown("# 某省示范条例\n\n第一章 总则\n\n第一条 甲。\n\n第二章 附则\n\n第二条 乙。\n")
    assert source.header == []
    doc = segment(_meta(), source.blocks, structured=True, clean=True)
    assert [s.label for s in doc.sections] == ["第一章", "第二章"] and [c.text for c in doc.clauses] == ["甲。", "乙。"]


def test_markdown_articles_as_headings_or_bold():
    source = parse_markdown("# 某省示范条例\n\n## 第一章 总则\n\n### 第一条\n\n甲。\n\n### 第二条 乙。\n\n"
                            "**第三条** 丙。\n")
    doc = segment(_meta(), source.blocks, structured=True, clean=True)
    assert [(c.label, c.text) for c in doc.clauses] == [("第一条", "甲。"), ("第二条", "乙。"), ("第三条", "丙。")]
    assert [s.label for s in doc.sections] == ["第一章"]


def test_documents_json_round_trip_and_older_stores(docs):
    for doc in docs.values():
        assert Document.from_dict(doc.to_dict()) == doc
    old = docs["code-part"].to_dict()
    for clause in old["clauses"]:  # a store written before paragraphs: items only
        clause["items"] = [{"label": "（一）", "text": "甲"}] if clause["number"] == 999 else []
        del clause["paragraphs"], clause["section"]
    restored = Document.from_dict(old)
    assert restored.clause(999).paragraphs[0].items[0].text == "甲" and restored.clause(999).items[0].label == "（一）"
    assert restored.clause(990).paragraphs[0].text == restored.clause(990).text


def test_adjacent_clauses_in_document_order(docs):
    code = docs["code-part"]
    before, after = code.adjacent(1000)
    assert before.label == "第九百九十九条" and after.label == "第一千条之一"
    assert code.adjacent(21000)[1].label == "第一千零一条" and code.adjacent(989)[0] is None
