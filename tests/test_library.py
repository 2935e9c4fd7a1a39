"""The law library (../shared/library, 1,422 laws as LawRefBook publishes them): every article of every
document is a clause with the printed number, checked against an independent count of the `第N条`
lines of the files; no clause text holds markdown; a sample of real documents checked in detail.

Segmentation only (no extraction, no embedding): the whole library takes seconds."""
from __future__ import annotations

import re
import time
from pathlib import Path

import cn2an
import pytest

from conftest import SHARED
from policykg.ingest import Document, load_corpora
from policykg.ingest.model import SUB_ARTICLE

LIBRARY = SHARED / "library"
# An article starts a line: 第N条 (or 第N条之k) and a space, as LawRefBook prints it.
ARTICLE_LINE = re.compile(r"^第([零〇一二三四五六七八九十百千两]+)条(?:之([一二三四五六七八九十]+))?[ \u3000]")
MARKDOWN = re.compile(r"^\s*#|<!--|-->|\*\*|__|\]\(|^\s*>|^\s*\||^\s*[-*+] ")
# Documents whose clauses differ from the article lines of their file, and why (article numbers).
EXCEPTIONS: dict[str, tuple[set[int], str]] = {
    "law-6792e073": (set(range(123, 128)),
                     "宪法修正案（2018年）第五十二条 adds a section whose new articles 第一百二十三条–第一百二十七条 it "
                     "quotes: they are the text of 第五十二条, not articles of the amendment"),
}


def _value(numeral: str) -> int:
    return int(cn2an.cn2an(numeral, "smart"))


def article_numbers(path) -> list[int]:
    """The article numbers of a file by its article-start lines (independent of policykg's segmenter)."""
    numbers = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        m = ARTICLE_LINE.match(line)
        if m:
            numbers.append(_value(m.group(1)) + SUB_ARTICLE * (_value(m.group(2)) if m.group(2) else 0))
    return numbers


@pytest.fixture(scope="module")
def library() -> dict[str, Document]:
    if not (LIBRARY / "manifest.toml").is_file():
        pytest.fail(f"the law library is missing at {LIBRARY} (set POLICYKG_SHARED)")
    skipped = []
    started = time.perf_counter()
    docs = load_corpora([LIBRARY], on_skip=skipped.append)
    seconds = time.perf_counter() - started
    print(f"\nlibrary: {len(docs)} documents, {sum(len(d.clauses) for d in docs)} clauses "
          f"in {seconds:.1f} s ({len(docs) / seconds:.0f} documents/s)")
    assert not skipped, [str(s) for s in skipped]
    return {d.id: d for d in docs}


def test_every_article_is_a_clause_with_its_number(library):
    assert len(library) == 1422
    differences = {}
    for doc in library.values():
        expected = article_numbers(Path(doc.meta.file))
        got = [c.number for c in doc.clauses]
        if got != expected:
            differences[doc.id] = set(expected) ^ set(got)
    assert differences == {doc_id: numbers for doc_id, (numbers, _) in EXCEPTIONS.items()}, differences
    for doc_id, (numbers, why) in EXCEPTIONS.items():
        quoted = library[doc_id].clause(52).text
        assert all(f"{cn2an.an2cn(n)}条" in quoted for n in numbers), why
    for doc in library.values():
        assert len({c.number for c in doc.clauses}) == len(doc.clauses), doc.id


def test_no_clause_text_holds_markdown(library):
    found = [(d.id, c.label, line[:30]) for d in library.values() for c in d.clauses
             for line in c.text.split("\n") if MARKDOWN.search(line)]
    assert not found, found[:10]
    ending_with_heading = [(d.id, c.label) for d in library.values() if d.id not in EXCEPTIONS for c in d.clauses
                           if re.search(r"\n第[一二三四五六七八九十百]+[编章节] ", c.text)]
    assert not ending_with_heading, ending_with_heading[:10]


def test_civil_code_into_the_thousands(library):
    code = library["law-6e07a7ea"]
    assert [c.number for c in code.clauses] == list(range(1, 1261))
    assert code.clause(1260).label == "第一千二百六十条" and code.clause(1000).label == "第一千条"
    divorce = code.clause(1079)  # paragraph 3 lists the grounds as items (一)–(五)
    assert [len(p.items) for p in divorce.paragraphs] == [0, 0, 5, 0, 0]
    assert divorce.paragraph(3).items[4].label == "（五）"
    assert any(e.kind == "in_force" and e.date == "2021-01-01" and e.clause == 1260 for e in code.events)


def test_criminal_law_inserted_articles_and_history(library):
    law = library["law-bd8528ce"]
    inserted = [c for c in law.clauses if "之" in c.label]
    assert len(inserted) >= 40
    c = law.clause(SUB_ARTICLE + 120)
    assert c.label == "第一百二十条之一" and law.clause(2 * SUB_ARTICLE + 120).label == "第一百二十条之二"
    labels = [c.label for c in law.clauses]
    assert labels.index("第一百二十条之一") == labels.index("第一百二十条") + 1
    kinds = [(e.kind, e.date) for e in law.events if not e.clause]
    assert kinds[:2] == [("adopted", "1979-07-01"), ("revised", "1997-03-14")]
    assert sum(k == "amended" for k, _ in kinds) >= 12 and len(law.header) == len(kinds)
    assert [s.label for s in law.sections[:2]] == ["第一编", "第一章"]


def test_constitution_preamble_and_gaps_after_headings(library):
    constitution = library["law-bff20565"]
    assert constitution.clauses[0].label == "第一条" and "序言" in [s.title for s in constitution.sections]
    assert "中国是世界上历史最悠久的国家之一" in constitution.preamble  # 序言 is text before the first article
    flight = library["law-625b02be"]  # the source leaves articles out; each chapter starts where printed
    assert [c.number for c in flight.clauses][:3] == [1, 11, 28]
