"""What a legal text says about its own versions: header lines, the in-force article, the title.

Laws as legal databases publish them open with lines such as
"1996年5月15日 第八届全国人民代表大会常务委员会第十九次会议通过" and
"2022年4月20日 …修订", and end with "本法自1996年9月1日起施行". These give the adoption,
revision, amendment and in-force dates of the version without any hand annotation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from policykg.ingest.segment import cn_to_int

_DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_QUOTED = re.compile(r"《[^》]*》|<[^>]*>|〈[^〉]*〉")
HEADER_LINE = re.compile(rf"^\s*[（(]?\s*{_DATE}\s*(.*)$")
IN_FORCE_SENTENCE = re.compile(rf"自\s*{_DATE}\s*起\s*(?:施行|实施|生效)")
_CN_DATE = re.compile(r"([〇零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
# event kinds, tried in this order (修订通过 is a revision, not an adoption)
_KINDS = (("repealed", ("废止",)), ("revised", ("修订",)), ("amended", ("修正", "修改")),
          ("in_force", ("施行", "生效")), ("adopted", ("通过", "批准")), ("promulgated", ("公布", "发布")))
# title decorations that differ between versions of the same text
_TITLE_NOISE = re.compile(r"[（(][^（()）]*(?:试行|暂行|草案|征求意见稿|送审稿|修订|修正|\d{4}年)[^（()）]*[)）]|"
                          r"(?:修订|修正)?(?:草案|征求意见稿|送审稿)$|\s+")


@dataclass(frozen=True)
class Event:
    """One dated step in a text's life: adopted, promulgated, revised, amended, in_force, repealed."""

    kind: str
    date: str  # ISO YYYY-MM-DD
    text: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "date": self.date, "text": self.text}


def iso(year: str | int, month: str | int, day: str | int) -> str:
    return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"


def parse_header(lines: list[str]) -> list[Event]:
    """The dated events of a text's header lines (lines that do not start with a date are skipped)."""
    events = []
    for line in lines:
        m = HEADER_LINE.match(line)
        if not m:
            continue
        rest = m.group(4).strip().rstrip("）)　 ")
        own = _QUOTED.sub("", rest)  # 《关于修改和废止部分行政法规的决定》 names the decision, not this event
        kind = next((k for k, words in _KINDS if any(w in own for w in words)), "")
        if kind:
            events.append(Event(kind, iso(m.group(1), m.group(2), m.group(3)), rest))
    return events


def in_force_from_text(text: str) -> str:
    """The date of "本法自…起施行" in a text (Arabic or Chinese numerals), or ""."""
    m = IN_FORCE_SENTENCE.search(text)
    if m:
        return iso(m.group(1), m.group(2), m.group(3))
    m = _CN_DATE.search(text)
    if m and re.search(r"起\s*(?:施行|实施|生效)", text[m.end():m.end() + 6]):
        digits = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")}
        digits["零"] = "0"
        year = "".join(digits[c] for c in m.group(1))
        return iso(year, cn_to_int(m.group(2)) or 1, cn_to_int(m.group(3)) or 1)
    return ""


def normalise_title(title: str) -> str:
    """A title without the decorations versions differ by (（试行）, （2018年修订）, spaces)."""
    return _TITLE_NOISE.sub("", title).strip()
