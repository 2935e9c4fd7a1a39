"""The reader registry: one reader per file suffix turns a file into a `Source` (blocks of text).

A reader is a function `(path, raw bytes) -> Source`, registered for its suffixes with
`@register(".txt")`. The built-in readers (.txt, .md, .html/.htm, .docx) live in the modules
`read_*.py` next to this one and are imported at the bottom of this module; a new format is one
new module plus one line in `BUILTIN`. The manifest accepts exactly the registered suffixes.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from policykg.errors import InputError
from policykg.ingest.limits import check_file_size, check_lines


@dataclass
class Block:
    """One line of a document's body: a paragraph, or a heading of `heading` level (markdown)."""

    text: str
    heading: int = 0


@dataclass
class Source:
    """What a reader gives: the body's blocks, and for formats that have them a title and header lines."""

    blocks: list[Block]
    title: str = ""
    header: list[str] = field(default_factory=list)  # lines before the body (adoption, amendments…)
    clean: bool = False  # lines are already units: never split a line at a marker run into a sentence
    structured: bool = False  # headings are marked (markdown): plain lines are never headings


Reader = Callable[[Path, bytes], Source]
_READERS: dict[str, Reader] = {}
#: the modules of the built-in readers (each registers its suffixes when imported)
BUILTIN = ("read_plain", "read_markdown", "read_html", "read_docx")


def register(*suffixes: str) -> Callable[[Reader], Reader]:
    """Register a reader for file suffixes (`.txt`); a later registration replaces an earlier one."""

    def add(reader: Reader) -> Reader:
        for suffix in suffixes:
            _READERS[suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"] = reader
        return reader

    return add


def unregister(*suffixes: str) -> None:
    for suffix in suffixes:
        _READERS.pop(suffix.lower(), None)


def suffixes() -> tuple[str, ...]:
    """The suffixes a corpus file may have, in registration order."""
    return tuple(_READERS)


def read_source(path: Path) -> Source:
    """Read a document file with the reader registered for its suffix."""
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"{path}: unsupported type (use {', '.join(suffixes())})")
    check_file_size(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    source = reader(path, raw)
    check_lines(path, "\n".join(block.text for block in source.blocks))
    return source


def read_text(path: Path) -> str:
    """The text of a document file as lines (headings included, header lines excluded)."""
    return "\n".join(block.text for block in read_source(path).blocks)


def lines_source(text: str) -> Source:
    """A Source of plain text: every line a block."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return Source(blocks=[Block(line) for line in text.split("\n")])


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM) or GB18030 text, or one clear InputError."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(f"{path}: unreadable encoding (expected UTF-8 or GB18030 text)")


def html_to_text(html: str) -> str:
    """The document body of a web page as lines (see read_html)."""
    from policykg.ingest.read_html import html_to_text as convert

    return convert(html)


for _module in BUILTIN:
    importlib.import_module(f"policykg.ingest.{_module}")
