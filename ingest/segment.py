"""Segment normalised blocks into preamble, sections, clauses, paragraphs and items (CONTRACT.md §2).

Numbering styles, tried in this order:

- `article`: `第N条` articles (also a single one), under 编/分编/章/节 headings; `（一）` are items.
  The clause number is the printed article number, whatever the first one is and into the
  thousands; `第N条之k` keeps its label and gets number `SUB_ARTICLE * k + N` (model.py).
- `paren`: `（一）` clauses under `一、` sections; `1.` / `（1）` / ① are items.
- `section`: documents numbered only `一、` (also as markdown headings `## 一、`); the units are clauses.
- `digit`: documents numbered only `1.`.

Paragraphs (款) are the lines of a clause; the items (项) under a paragraph stay in it. Headings
(markdown `#` lines, and in plain text lines such as `第二章 …`) are structure, never clause text.
"""
from __future__ import annotations

import re
from functools import lru_cache

from policykg.ingest.model import SUB_ARTICLE, Clause, Document, DocumentMeta, Item, Paragraph, Section
from policykg.ingest.readers import Block
from policykg.text import CN_DIGITS
from policykg.text import cn_to_int as _to_int

CN_NUM = CN_DIGITS  # the Chinese numeral characters (千 too: 第一千二百六十条)
_N = rf"[{CN_NUM}]+"
_NUM = rf"(?:{_N}|\d+)"
# A plain-text structure line: 第一编, 第二分编, 第三章, 第四节.
HEADING = re.compile(rf"^(?P<label>第{_NUM}(?P<kind>分编|编|章|节))\s*(?P<rest>.*)$")
ARTICLE = re.compile(
    rf"^(?P<label>第(?P<num>{_NUM})条(?:之(?P<sub>{_N}))?)(?![的至、和与及或中第款项规所])[\s:：]*(?P<rest>.*)$"
)
SECTION = re.compile(rf"^(?P<label>{_N}、)\s*(?P<rest>.*)$")
PAREN = re.compile(rf"^(?P<label>（{_N}）)\s*(?P<rest>.*)$")
ITEM = re.compile(r"^(?P<label>(?:\d{1,2}[.、](?!\d))|(?:（\d{1,2}）)|[①②③④⑤⑥⑦⑧⑨⑩])\s*(?P<rest>.*)$")
DIGIT_UNIT = re.compile(r"^(?P<label>\d{1,2}[.、](?!\d))\s*(?P<rest>.*)$")
_LEVELS = {"编": 1, "分编": 2, "章": 3, "节": 4}
# A marker that should start a line but was run into the previous sentence (messy pages).
_RUN_IN = re.compile(rf"(?<=[。；])\s*(?=(?:（{_N}）|第{_N}条|{_N}、)[^，,）)])")
# A section heading run into its first clause: "一、总体要求（一）指导思想。…"
_HEADING_RUN_IN = re.compile(rf"^((?:{_N}、|第{_N}章\s*)[^。，；（]{{1,30}}?)\s*((?:（{_N}）|第{_N}条).*)$")
_TITLE_END = re.compile(r"[。．.：:]")
_BRACKET_TITLE = re.compile(r"^[【\[]([^】\]]{1,30})[】\]]\s*(.*)$")
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
_MAX_JUMP = 3  # an article may follow the previous one by up to 3 (two missing) without a heading between


@lru_cache(maxsize=8192)
def cn_to_int(text: str) -> int | None:
    """`九` → 9, `十四` → 14, `一千二百六十` → 1260, `第一百零五条` → 105, `（三）` → 3, `12` → 12,
    `①` → 1; None when it is not a numeral (policykg.text reads the numerals, through cn2an)."""
    text = text.strip()
    if len(text) == 1 and text in _CIRCLED:
        return _CIRCLED.index(text) + 1
    return _to_int(text)


def split_run_ins(blocks: list[Block]) -> list[Block]:
    """Put every clause or section marker that was run into a sentence on a line of its own."""
    out: list[Block] = []
    for block in blocks:
        if block.heading:
            out.append(block)
            continue
        for part in _RUN_IN.split(block.text):
            part = part.strip()
            m = _HEADING_RUN_IN.match(part)
            if m:
                out.extend((Block(m.group(1).strip()), Block(m.group(2))))
            elif part:
                out.append(Block(part))
    return out


def detect_style(blocks: list[Block]) -> str:
    """`article` (第N条), `paren` (（N）), `section` (一、 only) or `digit` (1. only); `none`."""
    articles = parens = sections = digits = 0
    paren_before_article = False
    for block in blocks:
        text = block.text
        if block.heading and not ARTICLE.match(text):
            sections += bool(SECTION.match(text))
            continue
        if ARTICLE.match(text):
            articles += 1
        elif PAREN.match(text):
            parens += 1
            paren_before_article = paren_before_article or not articles
        elif SECTION.match(text):
            sections += 1
        elif DIGIT_UNIT.match(text):
            digits += 1
    if articles >= 2 or (articles == 1 and not paren_before_article):
        return "article"
    if parens >= 2 or (parens and not sections):
        return "paren"
    if sections:
        return "section"
    if digits >= 2:
        return "digit"
    return "none"


_CLAUSE_RE = {"article": ARTICLE, "paren": PAREN, "section": SECTION, "digit": DIGIT_UNIT, "none": None}
_ITEM_RE = {"article": PAREN, "paren": ITEM, "section": ITEM}
_SUBITEM_RE = {"article": ITEM}


class _Segmenter:
    """One pass over a document's blocks: numbered lines start clauses, headings start sections."""

    def __init__(self, meta: DocumentMeta, style: str, plain_headings: bool) -> None:
        self.meta, self.style, self.plain_headings = meta, style, plain_headings
        self.clause_re = _CLAUSE_RE[style]
        self.preamble: list[str] = []
        self.sections: list[Section] = []
        self.clauses: list[Clause] = []
        self.lines: list[str] | None = None  # lines of the clause being read
        self.label, self.number, self.heading_title = "", 0, ""
        self.expected = 1  # the next (N) / 一、 number (non-article styles)
        self.last = (0, 0)  # (article number, 之k) of the last article
        self.after_heading = True

    # -- structure ---------------------------------------------------------------------------
    def section(self, label: str, title: str, level: int) -> None:
        self.close()
        self.sections.append(Section(label, _strip_end(title), 0, level))
        self.after_heading = True

    def heading(self, block: Block) -> None:
        text = block.text
        a = ARTICLE.match(text) if self.style == "article" else None
        if a and self.start(a):  # an article written as a heading (`### 第一条 …`)
            return
        m = SECTION.match(text)
        if self.style == "section" and m and self.start(m, title_line=_is_heading_title(m.group("rest"))):
            return
        h = HEADING.match(text)
        if h:
            self.section(h.group("label"), h.group("rest"), block.heading)
        elif m:
            self.section(m.group("label"), m.group("rest"), block.heading)
        else:
            self.section("", text, block.heading)

    def line(self, text: str) -> None:
        # a clause whose last line ends with a colon quotes what follows (an amendment's new articles)
        quoting = bool(self.lines) and self.lines[-1].endswith(("：", ":"))
        h = HEADING.match(text) if self.plain_headings and not quoting else None
        if h and not _is_run_on_sentence(h.group("rest")) and (
                h.group("kind") == "章" or text[len(h.group("label")):][:1] in ("", " ")):  # not 第一节课…
            self.section(h.group("label"), h.group("rest"), _LEVELS[h.group("kind")])
            return
        if self.style in ("paren", "digit"):
            s = SECTION.match(text)
            if s and not _is_run_on_sentence(s.group("rest")):
                self.section(s.group("label"), s.group("rest"), 3)
                return
        m = self.clause_re.match(text) if self.clause_re else None
        if m and self.start(m):
            return
        if self.lines is not None:
            self.lines.append(text)
        elif not self.sections or not self.clauses and self.sections[-1].title:
            self.preamble.append(text)
        elif not self.sections[-1].title:
            self.sections[-1].title = text  # prose directly under an untitled heading
        else:
            section = self.sections[-1]
            section.text = f"{section.text}\n{text}" if section.text else text

    # -- clauses -----------------------------------------------------------------------------
    def start(self, m: re.Match, title_line: bool = False) -> bool:
        """Start a clause at a numbered line if its number fits the sequence; False if it does not."""
        if self.style == "article":
            main, sub = cn_to_int(m.group("num")), cn_to_int(m.group("sub")) if m.group("sub") else 0
            if main is None or sub is None or not self._article_fits(main, sub):
                return False
            number, self.last = main + SUB_ARTICLE * sub, (main, sub)
        else:
            value = cn_to_int(m.group("label"))
            if value is None or not _plausible_next(value, self.expected, bool(self.clauses)):
                return False
            self.expected = value + 1
            number = len(self.clauses) + 1 + (self.lines is not None)
        self.close()
        self.label, self.number = m.group("label"), number
        rest = m.group("rest")
        self.heading_title = _strip_end(rest) if title_line else ""
        self.lines = [rest] if rest else []
        self.after_heading = False
        level = 99
        for section in reversed(self.sections):  # the innermost section and the ones it opens
            if section.first_clause or section.level >= level:
                break
            section.first_clause, level = number, section.level
        return True

    def _article_fits(self, main: int, sub: int) -> bool:
        if not self.clauses and self.lines is None:
            return True  # the first article may have any number (one part of a code)
        last_main, last_sub = self.last
        if sub:
            return main == last_main and last_sub < sub <= last_sub + 2
        if self.after_heading:
            return main > last_main
        return 0 < main - last_main <= _MAX_JUMP

    def close(self) -> None:
        if self.lines is None:
            return
        section = self.sections[-1] if self.sections else Section("", "", 0)
        self.clauses.append(_make_clause(self.meta.id, self.number, self.label, self.lines, section,
                                         len(self.sections), self.style, self.heading_title))
        self.lines = None

    def document(self) -> Document:
        self.close()
        return Document(meta=self.meta, preamble="\n".join(self.preamble), sections=self.sections,
                        clauses=self.clauses)


def segment(meta: DocumentMeta, blocks: list[Block] | list[str], structured: bool = False,
            clean: bool = False) -> Document:
    """Segment a document's normalised blocks (or lines). `structured`: headings are marked
    (markdown), so plain `第二章` lines are headings only when the document marks none;
    `clean`: lines are already units (never split at a marker run into a sentence)."""
    blocks = [b if isinstance(b, Block) else Block(b) for b in blocks]
    if not clean:
        blocks = split_run_ins(blocks)
    plain_headings = not (structured and any(b.heading for b in blocks))
    seg = _Segmenter(meta, detect_style(blocks), plain_headings)
    for block in blocks:
        if block.heading:
            seg.heading(block)
        else:
            seg.line(block.text)
    return seg.document()


def _plausible_next(value: int, expected: int, started: bool) -> bool:
    """A numbered line starts the next clause unless its number is clearly out of sequence."""
    if not started:
        return value <= 3
    # numbering may restart in each section (value 1) or skip one; never go backwards otherwise
    return value == 1 or expected - 1 < value <= expected + 1


def _is_run_on_sentence(rest: str) -> bool:
    """`一、` followed by a long sentence is an enumerated sentence, not a heading (used for sections)."""
    return len(rest) > 40 and "，" in rest[:40]


def _is_heading_title(rest: str) -> bool:
    """`## 一、提高认识` is a titled clause; `## 一、各级机关应当…。` a sentence (the clause's text)."""
    return 0 < len(rest) <= 30 and not re.search(r"[。；;，,]", rest)


def _strip_end(text: str) -> str:
    return text.strip().rstrip("。．.：:")


def _make_clause(doc_id: str, number: int, label: str, lines: list[str], section: Section, section_index: int,
                 style: str, heading_title: str) -> Clause:
    first = lines[0] if lines else ""
    title = heading_title
    if not title:
        m = _BRACKET_TITLE.match(first)
        if m:
            title = m.group(1).strip()
        elif style != "article":
            title = _title_of(first, has_more=len(lines) > 1)
    body = lines[1:] if heading_title else lines
    paragraphs = _paragraphs(body, _ITEM_RE.get(style), _SUBITEM_RE.get(style))
    text = "\n".join(line for line in lines if line)
    return Clause(document=doc_id, number=number, label=label, title=title, text=text,
                  section_label=section.label, section_title=section.title,
                  items=[item for p in paragraphs for item in p.items], paragraphs=paragraphs,
                  section=section_index)


def _paragraphs(lines: list[str], item_re: re.Pattern | None, sub_re: re.Pattern | None) -> list[Paragraph]:
    """Each line a paragraph (款), except items (项) and their sub-items, which stay in the paragraph above."""
    paragraphs: list[Paragraph] = []
    for line in lines:
        im = item_re.match(line) if item_re else None
        sm = sub_re.match(line) if sub_re and not im else None
        if sm and paragraphs and paragraphs[-1].items:
            last = paragraphs[-1]
            last.text += "\n" + line
            last.items[-1].text += "\n" + line
            continue
        im = im or sm
        if im and paragraphs:
            paragraphs[-1].text += "\n" + line
        else:
            paragraphs.append(Paragraph(number=len(paragraphs) + 1, text=line))
        if im:
            items = paragraphs[-1].items
            value = cn_to_int(im.group("label"))
            items.append(Item(label=im.group("label"), text=im.group("rest"),
                              number=value if value is not None else len(items) + 1))
    return paragraphs


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
