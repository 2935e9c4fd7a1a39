"""The one sentence splitter: a sentence ends after 。；！？ (or ; ! ?) and at a line break.

Every part of policykg (extraction, the search indexes, question answering, the check) cuts a
clause with :func:`split_sentences`, so a sentence is the same (same text, same offsets)
wherever it is used, and parts can refer to it by its index or offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

#: characters that end a sentence (kept with it); a line break ends one too (not kept)
END_MARKS = "。；！？;!?"
_PIECE = re.compile(rf"[^{END_MARKS}\n]*(?:[{END_MARKS}]+|\n|$)")
_BLANK = re.compile(r"^[\W_]*$", re.UNICODE)


@dataclass(frozen=True)
class Sentence:
    """One sentence of a text: `text[start:end]`, surrounding white space excluded."""

    index: int
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """The sentences of `text`, in order, with their character offsets; pieces of punctuation
    or white space only are not sentences."""
    out: list[Sentence] = []
    for m in _PIECE.finditer(text or ""):
        if m.start() == m.end():
            continue
        piece = m.group()
        stripped = piece.strip()
        if not stripped or _BLANK.match(stripped):
            continue
        start = m.start() + (len(piece) - len(piece.lstrip()))
        out.append(Sentence(len(out), start, start + len(stripped), stripped))
    return out


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`."""
    return [(s.start, s.end) for s in split_sentences(text)]


def sentence_at(text: str, offset: int) -> Sentence | None:
    """The sentence that holds character `offset`, or None (white space between sentences)."""
    return next((s for s in split_sentences(text) if s.start <= offset < s.end), None)


def sentences(text: str) -> list[str]:
    """The sentence texts of `text`."""
    return [s.text for s in split_sentences(text)]
