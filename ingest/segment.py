"""Segment normalised lines into preamble, sections, clauses and items (CONTRACT.md section 2).

Two numbering styles: `（一）…` clauses under `一、` sections, and `第一条…` articles under
`第一章` chapters (where `（一）` marks items). Documents numbered only `一、` or only `1.` make
those units the clauses.
"""
from __future__ import annotations

import re

from policykg.ingest.model import Clause, Document, DocumentMeta, Item, Section
from policykg.text import CN_DIGITS

CN_NUM = CN_DIGITS  # the Chinese numeral characters (千 too: 第一千二百六十条)
_N = rf"[{CN_NUM}]+"
CHAPTER = re.compile(rf"^(第{_N}章|第\d+章)\s*(.*)$")
ARTICLE = re.compile(rf"^(第{_N}条|第\d+条)[\s:：]*(.*)$")
SECTION = re.compile(rf"^({_N}、)\s*(.*)$")
PAREN = re.compile(rf"^(（{_N}）)\s*(.*)$")
ITEM = re.compile(r"^((?:\d{1,2}[.、](?!\d))|(?:（\d{1,2}）)|[①②③④⑤⑥⑦⑧⑨⑩])\s*(.*)$")
DIGIT_UNIT = re.compile(r"^(\d{1,2}[.、](?!\d))\s*(.*)$")
# A marker that should start a line but was run into the previous sentence (messy pages).
_RUN_IN = re.compile(rf"(?<=[。；])\s*(?=(?:（{_N}）|第{_N}条|{_N}、)[^，,）)])")
# A section heading run into its first clause: "一、总体要求（一）指导思想。…"
_HEADING_RUN_IN = re.compile(rf"^((?:{_N}、|第{_N}章\s*)[^。，；（]{{1,30}}?)\s*((?:（{_N}）|第{_N}条).*)$")
_TITLE_END = re.compile(r"[。．.：:]")
_BRACKET_TITLE = re.compile(r"^[【\[]([^】\]]{1,30})[】\]]\s*(.*)$")


def cn_to_int(text: str) -> int | None:
    """`九` → 9, `十四` → 14, `一千二百六十` → 1260, `12` → 12; None when it is not a numeral."""
    from policykg.text import cn_to_int as to_int

    return to_int(text)


def split_run_ins(lines: list[str]) -> list[str]:
    """Put every clause or section marker that was run into a sentence on a line of its own."""
    out: list[str] = []
    for line in lines:
        for part in _RUN_IN.split(line):
            part = part.strip()
            m = _HEADING_RUN_IN.match(part)
            if m:
                out.extend((m.group(1).strip(), m.group(2)))
            elif part:
                out.append(part)
    return out


def detect_style(lines: list[str]) -> str:
    """`article` (第N条), `paren` (（N）), `section` (一、 only) or `digit` (1. only)."""
    articles = sum(1 for line in lines if ARTICLE.match(line))
    parens = sum(1 for line in lines if PAREN.match(line))
    sections = sum(1 for line in lines if SECTION.match(line))
    digits = sum(1 for line in lines if DIGIT_UNIT.match(line))
    if articles >= 2:
        return "article"
    if parens >= 2 or (parens and not sections):
        return "paren"
    if sections >= 2:
        return "section"
    if digits >= 2:
        return "digit"
    return "none"


def segment(meta: DocumentMeta, lines: list[str]) -> Document:
    lines = split_run_ins(lines)
    style = detect_style(lines)
    clause_re, section_res = {
        "article": (ARTICLE, (CHAPTER,)),
        "paren": (PAREN, (CHAPTER, SECTION)),
        "section": (SECTION, (CHAPTER,)),
        "digit": (DIGIT_UNIT, (CHAPTER, SECTION)),
        "none": (None, ()),
    }[style]
    item_re = PAREN if style == "article" else ITEM if style in ("paren", "section") else None

    preamble: list[str] = []
    sections: list[Section] = []
    clauses: list[Clause] = []
    current: list[str] | None = None  # lines of the clause being read
    label = ""
    section = Section("", "", 0)
    expected = 1

    def close() -> None:
        if current is not None:
            clauses.append(_make_clause(meta.id, len(clauses) + 1, label, current, section, item_re, style))

    for line in lines:
        header = next((m for rx in section_res if (m := rx.match(line))), None)
        if header and not _is_run_on_sentence(header.group(2)):
            close()
            current = None
            section = Section(header.group(1), _strip_end(header.group(2)), 0)
            sections.append(section)
            continue
        m = clause_re.match(line) if clause_re else None
        if m and _plausible_next(m.group(1), expected, style, bool(clauses)):
            close()
            label = m.group(1)
            current = [m.group(2)] if m.group(2) else []
            expected = (cn_to_int(label) or expected) + 1
            if section.first_clause == 0:
                section.first_clause = len(clauses) + 1
            continue
        if current is None:
            if not sections:
                preamble.append(line)
            elif not clauses or section.first_clause == 0:
                # prose directly under a section heading, before its first clause
                section.title = section.title or line
        else:
            current.append(line)
    close()
    return Document(meta=meta, preamble="\n".join(preamble), sections=sections, clauses=clauses)


def _plausible_next(label: str, expected: int, style: str, started: bool) -> bool:
    """A numbered line starts the next clause unless its number is clearly out of sequence."""
    value = cn_to_int(label)
    if value is None:
        return False
    if not started:
        return value <= 3
    # numbering may restart in each section (value 1) or skip one; never go backwards otherwise
    return value == 1 or expected - 1 < value <= expected + 1


def _is_run_on_sentence(rest: str) -> bool:
    """`一、` followed by a long sentence is an enumerated sentence, not a heading (used for sections)."""
    return len(rest) > 40 and "，" in rest[:40]


def _strip_end(text: str) -> str:
    return text.strip().rstrip("。．.：:")


def _make_clause(doc_id: str, number: int, label: str, lines: list[str], section: Section,
                 item_re: re.Pattern | None, style: str) -> Clause:
    first = lines[0] if lines else ""
    title = ""
    m = _BRACKET_TITLE.match(first)
    if m:
        title = m.group(1).strip()
        text_lines = list(lines)
    else:
        text_lines = list(lines)
        if style != "article":
            title = _title_of(first, has_more=len(lines) > 1)
    items: list[Item] = []
    if item_re is not None:
        for line in text_lines[1:] + ([] if title else text_lines[:1]):
            im = item_re.match(line)
            if im:
                items.append(Item(label=im.group(1), text=im.group(2)))
    text = "\n".join(line for line in text_lines if line)
    return Clause(document=doc_id, number=number, label=label, title=title, text=text,
                  section_label=section.label, section_title=section.title, items=items)


def _title_of(first: str, has_more: bool) -> str:
    """The heading of a `（N）` clause: a short first sentence without commas."""
    m = _TITLE_END.search(first)
    if m:
        head, rest = first[: m.start()], first[m.end():]
        if 2 <= len(head) <= 30 and not re.search(r"[，,；;、“”\d%]", head) and (rest.strip() or has_more):
            return head.strip()
        return ""
    if has_more and 2 <= len(first) <= 30 and not re.search(r"[，,；;]", first):
        return first.strip()
    return ""
