"""The .md reader: markdown as legal databases publish it (LawRefBook's `# title`, header lines,
`<!-- INFO END -->`, `##`/`###` 编/章/节 headings, articles and paragraphs separated by blank lines).

Headings become heading blocks (structure, never clause text); inline markup (emphasis, links,
images, code, HTML tags, tables, list bullets, block quotes) is reduced to its text.
"""
from __future__ import annotations

import re
from pathlib import Path

from policykg.ingest.readers import Block, Source, decode, register

INFO_END = re.compile(r"<!--\s*INFO\s+END\s*-->", re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_RULE = re.compile(r"^ {0,3}(?:[-*_][ \t]*){3,}$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),  # bold
    (re.compile(r"(?<![*\w])\*(?![\s*])(.+?)(?<![\s*])\*(?![*\w])"), r"\1"),  # italic
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"</?(?:span|font|b|strong|em|i|u|s|sup|sub|p|div|center|a|small|big)(?:\s[^>]*)?>",
                re.IGNORECASE), ""),
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>])"), r"\1"),  # backslash escapes
)
_MARKUP = re.compile(r"[*_`\[!<\\]")  # a line without these has no inline markup
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_LEAD = re.compile(r"^\s*(?:>\s?)+|^\s*[-*+][ \t]+(?=\S)")  # block quote marks, bullet list marks


@register(".md", ".markdown")
def read_markdown(path: Path, raw: bytes) -> Source:
    return parse_markdown(decode(path, raw))


def parse_markdown(text: str) -> Source:
    """Title, header lines and body blocks of a markdown document."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    title, start = "", 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = _HEADING.match(line)
        if m and len(m.group(1)) == 1:
            title, start = _inline(m.group(2)), i + 1
        break
    header: list[str] = []
    end = next((i for i in range(start, len(lines)) if INFO_END.search(lines[i])), None)
    if end is not None:
        header = [line.strip() for line in lines[start:end] if line.strip()]
        start = end + 1
    body = _COMMENT.sub("", "\n".join(lines[start:]))
    return Source(blocks=list(_blocks(body.split("\n"))), title=title, header=header,
                  clean=True, structured=True)


def _blocks(lines: list[str]):
    fenced = False
    for line in lines:
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced:
            if line.strip():
                yield Block(line.strip())
            continue
        m = _HEADING.match(line)
        if m:
            text = _inline(m.group(2))
            if text:
                yield Block(text, heading=len(m.group(1)))
            continue
        if _RULE.match(line) or _TABLE_RULE.match(line):
            continue
        line = _LEAD.sub("", line)
        if line.lstrip().startswith("|"):
            line = " ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
        for part in _BR.split(line):
            part = _inline(part)
            if part:
                yield Block(part)


def _inline(text: str) -> str:
    if not _MARKUP.search(text):
        return text.strip()
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return text.strip()
