"""The document model every stage reads and writes: documents, sections, clauses, items.

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
class Item:
    """A numbered item inside a clause (`1.`, `（1）`)."""

    label: str
    text: str


@dataclass
class Clause:
    """The unit answers cite: a `（N）` clause or a `第N条` article."""

    document: str
    number: int
    label: str
    title: str
    text: str  # the whole clause as printed, label excluded, title included
    section_label: str = ""  # e.g. "三、" or "第二章"
    section_title: str = ""
    items: list[Item] = field(default_factory=list)

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


@dataclass
class Section:
    label: str
    title: str
    first_clause: int  # number of the first clause in the section (0 if it has none)


@dataclass
class Document:
    meta: DocumentMeta
    preamble: str
    sections: list[Section]
    clauses: list[Clause]

    @property
    def id(self) -> str:
        return self.meta.id

    def clause(self, number: int) -> Clause | None:
        if 1 <= number <= len(self.clauses) and self.clauses[number - 1].number == number:
            return self.clauses[number - 1]
        return next((c for c in self.clauses if c.number == number), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        return cls(
            meta=DocumentMeta(**data["meta"]),
            preamble=data["preamble"],
            sections=[Section(**s) for s in data["sections"]],
            clauses=[
                Clause(**{**c, "items": [Item(**i) for i in c.get("items", [])]})
                for c in data["clauses"]
            ],
        )
