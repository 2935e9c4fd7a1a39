"""Normalise text: full-width ASCII to half-width, stray whitespace, editor artefacts.

Chinese punctuation (（）：，。；) stays full-width; single spaces inside a line are kept
because a draft's blanks ("建设高技能人才培养平台 家") are spaces.
"""
from __future__ import annotations

import re
import unicodedata

# Full-width digits, letters and a few symbols → ASCII. Chinese punctuation is left alone.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_FULLWIDTH.update({ord("％"): "%", ord("＋"): "+", ord("＝"): "=", ord("／"): "/",
                   ord("＆"): "&", ord("＃"): "#", ord("＜"): "<", ord("＞"): ">"})
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = dict.fromkeys(map(ord, "\u00a0\u2002\u2003\u2009\u202f\t\x0b\x0c"), " ")
_TABLE = {**_FULLWIDTH, **_SPACES, **_INVISIBLE}  # one pass
_TRANSLATED = re.compile("[" + "".join(re.escape(chr(cp)) for cp in _TABLE) + "]")

_ARTEFACTS = re.compile(
    r"\[bookmark:[^\]]*\]"  # Word bookmarks exported as text
    r"|\[(?:image|comment|footnote|endnote)[^\]]*\]"
    r"|<!--.*?-->"
    r"|\{\\\*?[a-z]+[^}]*\}",  # RTF fragments
    re.IGNORECASE,
)
# A half-width parenthesised Chinese numeral written as a clause number: (一) → （一）
_ASCII_PAREN_NUM = re.compile(r"\(([一二三四五六七八九十百零〇]+|\d{1,3})\)")
_DECIMAL_POINT = re.compile(r"(?<=\d)．(?=\d)")


def normalize_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line)
    if _TRANSLATED.search(line):
        line = line.translate(_TABLE)
    line = _DECIMAL_POINT.sub(".", line)
    line = _ARTEFACTS.sub("", line)
    line = _ASCII_PAREN_NUM.sub(lambda m: f"（{m.group(1)}）", line)
    line = line.replace("\u3000", " ")
    line = re.sub(r" {2,}", " ", line)
    return line.strip()


def normalize_text(text: str) -> list[str]:
    """Normalise a whole text into non-empty lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    lines = (normalize_line(line) for line in text.split("\n"))
    return [line for line in lines if line]
