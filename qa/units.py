"""Answer units: the paragraph (款) and item (项) of a clause that hold an answering sentence.

A clause's body keeps one paragraph or item a line; an item line starts with `（一）` or `1.`
and belongs to the paragraph before it.
"""
from __future__ import annotations

import re

ITEM = re.compile(r"^\s*(?:[（(][一二三四五六七八九十]+[）)]|\d+[.．、])")


def locate(body: str, sentence: str) -> tuple[int | None, int | None]:
    """(paragraph, item) numbers (1-based) of the line holding `sentence`; (None, None) when the
    clause has a single paragraph or the sentence is not found."""
    lines = [ln.strip() for ln in (body or "").split("\n") if ln.strip()]
    needle = sentence.strip().rstrip("。；;")
    paragraph, item, found = 0, 0, None
    paragraphs = 0
    for line in lines:
        if ITEM.match(line):
            item += 1
        else:
            paragraph += 1
            item = 0
        if found is None and needle and needle[:40] in line:
            found = (paragraph, item or None)
    paragraphs = paragraph
    if found is None:
        return None, None
    if paragraphs <= 1 and found[1] is None:
        return None, None
    return found[0] if paragraphs > 1 else None, found[1]
