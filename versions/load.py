"""Read a text file straight into the document model (for `diff` on two files, without a store).

Markdown as legal databases publish it (`# title`, dated header lines, `<!-- INFO END -->`,
`##` chapter headings) is read here until ingest reads .md itself; other types go through ingest.
"""
from __future__ import annotations

import re
from pathlib import Path

from policykg.errors import InputError
from policykg.ingest.model import Document, DocumentMeta
from policykg.ingest.normalize import normalize_text
from policykg.ingest.readers import read_text
from policykg.ingest.segment import segment
from policykg.versions.events import Event, parse_header

_INFO_END = "<!-- INFO END -->"
_HEADING = re.compile(r"^#{1,6}\s*")


def split_markdown(text: str) -> tuple[str, list[str], list[str]]:
    """(title, header lines, body lines) of a legal-database markdown text."""
    title, header, body = "", [], []
    head, sep, rest = text.partition(_INFO_END)
    if not sep:
        head, rest = "", text
    for line in head.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
        elif line.strip():
            header.append(line.strip())
    for line in rest.splitlines():
        if line.startswith("# ") and not title:
            title = line[2:].strip()
            continue
        body.append(_HEADING.sub("", line))
    return title, header, body


def read_events(path: str | Path) -> list[Event]:
    """The header events of a markdown law text ([] for other files or no header)."""
    path = Path(path)
    if path.suffix.lower() != ".md" or not path.is_file():
        return []
    _, header, _ = split_markdown(path.read_text(encoding="utf-8", errors="replace"))
    return parse_header(header)


def load_file(path: str | Path, doc_id: str = "") -> Document:
    """A document from one file (.md, .txt, .html, .docx); InputError when it has no clauses."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    doc_id = doc_id or re.sub(r"[^a-z0-9-]+", "-", path.stem.lower()).strip("-") or "document"
    if path.suffix.lower() == ".md":
        title, header, body = split_markdown(path.read_text(encoding="utf-8", errors="replace"))
        lines = normalize_text("\n".join(body))
    else:
        lines = normalize_text(read_text(path))
        title, header = (lines[0] if lines else path.stem), []
    meta = DocumentMeta(id=doc_id, title=title or path.stem, level="other", file=str(path.resolve()))
    document = segment(meta, lines)
    if not document.clauses:
        raise InputError(f"{path}: no clause found (expected numbering such as （一）… or 第一条…)")
    if header:
        document.preamble = "\n".join(header + ([document.preamble] if document.preamble else []))
    events = parse_header(document.preamble.split("\n"))
    dated = [e.date for e in events if e.kind in ("adopted", "revised", "amended", "promulgated")]
    document.meta.date = max(dated, default="")
    return document
