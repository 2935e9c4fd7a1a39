"""The document model every stage reads and writes: documents, sections, clauses, paragraphs, items.

Ingest fills it (read → normalise → segment); extraction annotates clauses; the graph,
the search indexes and the check are built from it. It serialises to plain JSON so the
store keeps a copy next to the graph.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LEVELS = ("national", "provincial", "municipal", "district", "county", "other")
STATUSES = ("in_force", "draft", "repealed")
TEXT_KINDS = ("full", "digest")
#: what a dated line of a document's header (or its entry-into-force clause) says happened
EVENT_KINDS = ("adopted", "amended", "revised", "promulgated", "in_force", "other")
#: a `第N条之k` article's number is SUB_ARTICLE * k + N (第一百二十条之一 → 10120): printed
#: article numbers stay below it, so it never collides with one
SUB_ARTICLE = 10_000


@dataclass
class DocumentMeta:
    """One `[[document]]` table of a manifest (fields as in CONTRACT.md section 1)."""

    id: str
    title: str
    level: str
    region: str = ""
    issuer: list[str] = field(default_factory=list)
    number: str = ""
    date: str = ""
    status: str = "in_force"
    text: str = "full"
    file: str = ""
    source_url: str = ""
    implements: list[str] = field(default_factory=list)
    corpus_dir: str = ""  # absolute folder of the manifest that named it
    # versions and validity (optional; README "Versions and validity")
    replaces: list[str] = field(default_factory=list)  # ids of earlier versions this text replaces
    repealed_by: str = ""  # id of the document that abrogates this one
    adopted: str = ""  # ISO dates
    in_force: str = ""
    repealed: str = ""


@dataclass
class Event:
    """A dated event of a document's life: adopted, amended, revised, promulgated, in_force (or other).

    `text` is the line that states it, as printed; `clause` the number of the clause that states it
    (an entry-into-force article), 0 when it comes from the document's header.
    """

    kind: str
    date: str  # ISO 8601, YYYY-MM-DD
    text: str
    clause: int = 0


@dataclass
class Item:
    """A numbered item (项) inside a clause: `（一）` in an article, `1.` / `（1）` elsewhere."""

    label: str
    text: str  # label excluded; sub-items (`1.` under `（一）`) included
    number: int = 0  # the printed number (（三） → 3), else its 1-based place in the paragraph


@dataclass
class Paragraph:
    """A paragraph (款) of a clause: its own text followed by its items, citable as `number`."""

    number: int  # 1-based within the clause
    text: str  # the paragraph as printed, its items' lines included
    items: list[Item] = field(default_factory=list)


@dataclass
class Clause:
    """The unit answers cite: a `（N）` clause or a `第N条` article."""

    document: str
    number: int
    label: str
    title: str
    text: str  # the whole clause as printed, label excluded, title included
    section_label: str = ""  # e.g. "三、" or "第二章" (the innermost section)
    section_title: str = ""
    items: list[Item] = field(default_factory=list)  # every item of every paragraph, in order
    paragraphs: list[Paragraph] = field(default_factory=list)
    section: int = 0  # 1-based index of its innermost section in Document.sections, 0 for none

    @property
    def body(self) -> str:
        """The text after the title (the whole text when there is no title)."""
        text = self.text
        for head in (f"【{self.title}】", f"[{self.title}]", self.title):
            if self.title and text.startswith(head):
                return text[len(head):].lstrip("。．.：: ")
        return text

    @property
    def key(self) -> tuple[str, int]:
        return (self.document, self.number)

    def paragraph(self, number: int) -> Paragraph | None:
        return next((p for p in self.paragraphs if p.number == number), None)


@dataclass
class Section:
    label: str
    title: str
    first_clause: int  # number of the first clause in the section (0 if it has none)
    level: int = 1  # nesting depth: 编 1, 分编 2, 章 3, 节 4; a markdown heading's own level otherwise
    text: str = ""  # prose under the heading before its first clause (not part of any clause)


@dataclass
class Document:
    meta: DocumentMeta
    preamble: str
    sections: list[Section]
    clauses: list[Clause]
    header: list[str] = field(default_factory=list)  # the header lines as printed (markdown: before INFO END)
    events: list[Event] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta.id

    def clause(self, number: int) -> Clause | None:
        if 1 <= number <= len(self.clauses) and self.clauses[number - 1].number == number:
            return self.clauses[number - 1]
        return next((c for c in self.clauses if c.number == number), None)

    def adjacent(self, number: int) -> tuple[Clause | None, Clause | None]:
        """The clauses before and after clause `number` in document order (第N条之一 sits after 第N条)."""
        at = next((i for i, c in enumerate(self.clauses) if c.number == number), None)
        if at is None:
            return None, None
        return (self.clauses[at - 1] if at else None,
                self.clauses[at + 1] if at + 1 < len(self.clauses) else None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data. A clause's paragraphs and items are stored as spans of its text's lines
        (`{"start", "spans": [[lines, [[label, number, first line, lines], …]], …]}`) when that
        restores them exactly, or left out when the clause is one plain paragraph; `items` (all in the
        paragraphs) is left out. from_dict restores both."""
        data = asdict(self)
        for clause in data["clauses"]:
            del clause["items"]
            if clause["paragraphs"] == [{"number": 1, "text": clause["text"], "items": []}]:
                clause["paragraphs"] = []  # one paragraph, the whole text
                continue
            packed = _pack(clause)
            if packed is not None and _unpack(clause["text"], packed) == clause["paragraphs"]:
                clause["paragraphs"] = packed
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        return cls(
            meta=DocumentMeta(**data["meta"]),
            preamble=data["preamble"],
            sections=[Section(**s) for s in data["sections"]],
            clauses=[_clause(c) for c in data["clauses"]],
            header=list(data.get("header", [])),
            events=[Event(**e) for e in data.get("events", [])],
        )


def _clause(data: dict[str, Any]) -> Clause:
    stored = data.get("paragraphs") or []
    if isinstance(stored, dict):
        stored = _unpack(data["text"], stored)
    paragraphs = [Paragraph(number=p["number"], text=p["text"], items=[Item(**i) for i in p.get("items", [])])
                  for p in stored]
    if not paragraphs and data["text"]:  # one paragraph, the whole text (or a store from before paragraphs)
        paragraphs = [Paragraph(number=1, text=data["text"], items=[Item(**i) for i in data.get("items", [])])]
    items = [item for p in paragraphs for item in p.items]
    return Clause(**{**data, "items": items, "paragraphs": paragraphs})


def _pack(clause: dict[str, Any]) -> dict[str, Any] | None:
    """A clause's paragraphs as line spans of its text (None when they are not its last lines)."""
    lines = clause["text"].split("\n")
    spans, total = [], 0
    for paragraph in clause["paragraphs"]:
        plines = paragraph["text"].split("\n")
        items, cursor = [], 0
        for item in paragraph["items"]:
            while cursor < len(plines) and not plines[cursor].startswith(item["label"]):
                cursor += 1
            size = item["text"].count("\n") + 1
            items.append([item["label"], item["number"], cursor, size])
            cursor += size
        spans.append([len(plines), items])
        total += len(plines)
    start = len(lines) - total
    return {"start": start, "spans": spans} if start >= 0 else None


def _unpack(text: str, packed: dict[str, Any]) -> list[dict[str, Any]]:
    lines = text.split("\n")
    pos, paragraphs = packed["start"], []
    for number, (size, items) in enumerate(packed["spans"], 1):
        plines = lines[pos:pos + size]
        pos += size
        paragraphs.append({"number": number, "text": "\n".join(plines), "items": [
            {"label": label, "text": "\n".join([plines[i][len(label):].lstrip(), *plines[i + 1:i + n]]), "number": value}
            for label, value, i, n in items]})
    return paragraphs
