"""Dated events of a document's life from its header lines and its entry-into-force clause.

A header line that starts with a date (`2018年12月29日 …`, `一九九四年十二月六日`) starts a
statement; undated lines after it continue it (LawRefBook breaks long lines). What the statement
says happened is read outside the titles it quotes (《…》), so `《关于修改…的决定》第一次修订`
is a revision and `通过的《…修正案》` an amendment:

| kind | words |
| --- | --- |
| amended | 修正, 修改, or `通过的《…》` (an act that changed it) |
| revised | 修订 |
| adopted | 通过, 批准 |
| promulgated | 公布, 发布, 颁布, 公告, 令第N号 |
| in_force | 施行, 生效, 执行 |

A statement may say two things (`公布施行`): one event each. A dated line that says none of
them is kind `other`.
"""
from __future__ import annotations

import re

from policykg.ingest.model import Clause, Event
from policykg.ingest.normalize import normalize_line

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0}
_DATE = re.compile(
    r"(?P<y>\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日"
)
_QUOTED = re.compile(r"《[^《》]*》|〈[^〈〉]*〉|<[^<>]*>")
_IN_FORCE_CLAUSE = re.compile(
    r"本(?:法|编|条例|规定|办法|细则|解释|决定|规则|意见|通知|措施|准则|章程|修正案|实施办法|实施细则|实施条例)"
    r"(?:（[^）]*）)?(?:自|于)\s*(?P<date>[^，。；起]{6,20}?日)\s*(?:起)?(?:施行|生效|实施)"
)


def iso_date(text: str) -> str:
    """`2018年12月29日` / `一九九四年十二月六日` → `2018-12-29`; "" when it is not a date."""
    m = _DATE.search(text)
    if not m:
        return ""
    year = m.group("y")
    if not year.isdigit():
        year = "".join(str(_DIGITS[c]) for c in year)
    month, day = _small(m.group("m")), _small(m.group("d"))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return f"{int(year):04d}-{month:02d}-{day:02d}"


def _small(text: str) -> int:
    if text.isdigit():
        return int(text)
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)
    return _DIGITS.get(text, 0)


def _starts_dated(line: str) -> bool:
    return _DATE.match(line) is not None


def statements(lines: list[str]) -> list[str]:
    """Header lines grouped into statements: each starts with a date, undated lines continue it."""
    out: list[str] = []
    for raw in lines:
        line = normalize_line(raw)
        if not line:
            continue
        if _starts_dated(line) or not out:
            out.append(line)
        elif _starts_dated(out[-1]):
            out[-1] = f"{out[-1]}{'' if _open(out[-1]) else ' '}{line}"
        else:
            out.append(line)
    return out


def _open(text: str) -> bool:
    """A line broken inside a quoted title (more 《 than 》)."""
    return text.count("《") > text.count("》") or text.count("〈") > text.count("〉")


def kinds(statement: str) -> list[str]:
    """What a statement says happened (see the module docstring)."""
    outside = statement
    for _ in range(3):  # nested titles: 《关于修改〈…〉的决定》
        outside = _QUOTED.sub("《》", outside)
    found: list[str] = []
    if "修正" in outside or "修改" in outside:
        found.append("amended")
    elif "修订" in outside:
        found.append("revised")
    elif re.search(r"通过的《》", outside):
        found.append("amended")
    elif "通过" in outside or "批准" in outside:
        found.append("adopted")
    if re.search(r"公布|发布|颁布|公告|令第?\s*\S{0,6}号", outside):
        found.append("promulgated")
    if re.search(r"施行|生效|执行|实施", outside):
        found.append("in_force")
    return found or ["other"]


def header_events(lines: list[str]) -> list[Event]:
    """The dated events a document's header lines state, in order."""
    events: list[Event] = []
    for statement in statements(lines):
        date = iso_date(statement) if _starts_dated(statement) else ""
        if not date:
            continue
        for kind in kinds(statement):
            events.append(Event(kind=kind, date=date, text=statement))
    return events


def preamble_events(lines: list[str]) -> list[Event]:
    """Events of a regulation that prints its history in its preamble, in parentheses:
    `（2004年5月1日…通过 根据2010年9月17日…第一次修正 2019年3月28日…修订）`; each date starts a
    statement; other lines, and statements that say none of the kinds, are left."""
    events: list[Event] = []
    for raw in lines:
        line = normalize_line(raw)
        if not (line[:1] in "（(" and line[-1:] in "）)" and _starts_dated(line[1:])):
            continue  # only the parenthesised history line; prose that starts with a date is not one
        inner = line[1:-1]
        starts = [m.start() for m in _DATE.finditer(inner)]
        for begin, end in zip(starts, starts[1:] + [len(inner)]):
            statement = re.sub(r"[\s，,；;]*(?:根据|并)?$", "", inner[begin:end].strip())
            for kind in kinds(statement):
                if kind != "other":
                    events.append(Event(kind=kind, date=iso_date(statement), text=statement))
    return events


def clause_events(clauses: list[Clause]) -> list[Event]:
    """`本法自2020年1月1日起施行` in a clause: an in_force event citing that clause."""
    events: list[Event] = []
    for clause in clauses:
        for m in _IN_FORCE_CLAUSE.finditer(clause.text):
            date = iso_date(m.group("date"))
            if date:
                events.append(Event(kind="in_force", date=date, text=m.group(0), clause=clause.number))
    return events
