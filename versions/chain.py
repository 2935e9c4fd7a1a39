"""Version chains and validity: which text replaces which, and which is in force on a date.

A document's dates come from its manifest (`adopted`, `in_force`, `repealed`, `date`), else from
its own header lines and its "本法自…起施行" article (events.py). Versions are linked by the
manifest (`replaces`, `repealed_by`) and, where the manifest says nothing, by their titles: texts
whose titles agree once 修订/（试行）/dates are set aside form a chain ordered by date, each
replacing the one before. A draft is linked to the final text of the same title.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable

from policykg.errors import InputError
from policykg.ingest.model import Document
from policykg.versions.events import Event, in_force_from_text, normalise_title, parse_header
from policykg.ingest.manifest import ISO_DATE_RE

# a document's status on a date
IN_FORCE, SUPERSEDED, REPEALED, NOT_YET, DRAFT = "in_force", "superseded", "repealed", "not_yet_in_force", "draft"
VALID = (IN_FORCE, DRAFT)  # what search and answers may cite on that date
_VERSION_KINDS = ("adopted", "revised", "amended", "promulgated")


@dataclass
class Version:
    """One document's place in its version chain."""

    id: str
    work: str  # the normalised title the versions of one text share
    date: str = ""  # the version's own date (adopted, revised or amended)
    in_force: str = ""  # first date in force
    repealed: str = ""  # date it was repealed, if it was
    draft: bool = False
    replaces: list[str] = field(default_factory=list)
    replaced_by: list[str] = field(default_factory=list)
    repealed_by: str = ""
    draft_of: str = ""  # a draft: the id of its final text
    events: list[Event] = field(default_factory=list)

    @property
    def valid_from(self) -> str:
        return self.in_force or self.date


def document_events(doc: Document) -> list[Event]:
    """The dated events a document gives itself (ingest's `events` when it has them, else its header lines)."""
    given = [Event(_field(e, "kind"), _field(e, "date"), _field(e, "text") or "")
             for e in getattr(doc, "events", None) or []]
    # ingest reads headers of some formats only (markdown, a regulation's history under its title);
    # a plain-text header's lines still date the text
    parsed = parse_header(list(getattr(doc, "header", None) or []) + doc.preamble.split("\n"))
    seen = {(e.kind, e.date) for e in given}
    return given + [e for e in parsed if (e.kind, e.date) not in seen]


def _field(event, name: str):
    return event.get(name) if isinstance(event, dict) else getattr(event, name, None)


def parse_as_of(value: str | None) -> str:
    """A date given by a user (YYYY-MM-DD) → ISO string; None → today. Bad input is an InputError."""
    if value is None or value == "":
        return dt.date.today().isoformat()
    value = value.strip()
    if not ISO_DATE_RE.fullmatch(value):
        raise InputError(f"as of {value!r}: give a date as YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"as of {value!r}: no such date") from None
    return value


class VersionIndex:
    """The versions of a set of documents and their validity on any date."""

    def __init__(self, documents: Iterable[Document]) -> None:
        self.documents = {d.id: d for d in documents}
        self.versions = {d.id: _version(d) for d in self.documents.values()}
        self._link_declared()
        self._link_by_title()

    def _link_declared(self) -> None:
        for v in self.versions.values():
            meta = self.documents[v.id].meta
            for old in meta.replaces:
                self._replace(old, v.id)
            v.repealed_by = meta.repealed_by

    def _replace(self, old: str, new: str) -> None:
        """`new` replaces `old` (an id no loaded corpus holds is kept on the side that is loaded)."""
        if old in self.versions and new not in self.versions[old].replaced_by:
            self.versions[old].replaced_by.append(new)
        if old not in self.versions[new].replaces:
            self.versions[new].replaces.append(old)

    def _link_by_title(self) -> None:
        works: dict[str, list[Version]] = {}
        for v in self.versions.values():
            works.setdefault(v.work, []).append(v)
        for members in works.values():
            finals = sorted((v for v in members if not v.draft), key=lambda v: v.date or v.in_force)
            for draft in (v for v in members if v.draft):
                later = [f for f in finals if not draft.date or not f.date or f.date >= draft.date]
                if later:
                    draft.draft_of = later[0].id
            if len(finals) < 2 or any(v.replaces or v.replaced_by for v in finals):
                continue  # one version, or the manifest already says how they relate
            if any(not (v.date or v.in_force) for v in finals):
                continue  # without dates the order is unknown
            steps: dict[str, list[Version]] = {}  # copies of one version share its date
            for v in finals:
                steps.setdefault(v.date or v.in_force, []).append(v)
            ordered = list(steps.values())
            for olds, news in zip(ordered, ordered[1:]):
                for old in olds:
                    for new in news:
                        self._replace(old.id, new.id)

    # -- validity ---------------------------------------------------------------------------
    def valid_until(self, doc_id: str) -> str:
        """The first day the document is no longer in force ("" while nothing ends it)."""
        v = self.versions[doc_id]
        ends = [v.repealed] if v.repealed else []
        ends += [self.versions[n].valid_from for n in v.replaced_by if n in self.versions and self.versions[n].valid_from]
        return min(ends, default="")

    def status(self, doc_id: str, as_of: str | None = None) -> str:
        v = self.versions[doc_id]
        day = as_of or dt.date.today().isoformat()
        if v.draft:
            return DRAFT
        if v.valid_from and day < v.valid_from:
            return NOT_YET
        until = self.valid_until(doc_id)
        if until and day >= until:
            return REPEALED if v.repealed and v.repealed == until else SUPERSEDED
        if v.repealed_by and not v.repealed:
            return REPEALED
        if any(n in self.versions and not self.versions[n].valid_from for n in v.replaced_by):
            return SUPERSEDED  # replaced by an undated version: not current
        if self.documents[doc_id].meta.status == "repealed" and not until:
            return REPEALED
        return IN_FORCE

    def excluded(self, as_of: str | None = None) -> set[str]:
        """Documents search and answers must not cite on that date."""
        return {d for d in self.versions if self.status(d, as_of) not in VALID}

    def describe(self, doc_id: str, as_of: str | None = None) -> dict[str, Any]:
        """The `status` and `version` fields of a clause reference."""
        v = self.versions.get(doc_id)
        if v is None:
            return {}
        return {"status": self.status(doc_id, as_of),
                "version": {"date": v.date or None, "in_force": v.in_force or None,
                            "until": self.valid_until(doc_id) or None,
                            "replaces": list(v.replaces), "replaced_by": list(v.replaced_by)}}

    def previous(self, doc_id: str) -> str:
        """The version a text revises: what it replaces, or for a draft the newest earlier final text ("" if none)."""
        v = self.versions[doc_id]
        if v.replaces:
            return max(v.replaces, key=lambda d: self.versions[d].date if d in self.versions else "")
        if not v.draft:
            return ""
        finals = [w for w in self.versions.values() if w.work == v.work and not w.draft and w.id != v.draft_of
                  and (not v.date or not w.date or w.date < v.date)]
        return max(finals, key=lambda w: w.date).id if finals else ""

    def chain(self, doc_id: str) -> list[str]:
        """The ids of every version of the document's text, oldest first."""
        seen, todo = set(), [doc_id]
        while todo:
            d = todo.pop()
            if d in seen or d not in self.versions:
                continue
            seen.add(d)
            todo += self.versions[d].replaces + self.versions[d].replaced_by
        return sorted(seen, key=lambda d: (self.versions[d].date or "", d))


def _version(doc: Document) -> Version:
    meta = doc.meta
    events = document_events(doc)
    dated = [e.date for e in events if e.kind in _VERSION_KINDS]
    date = meta.adopted or max(dated, default="") or meta.date
    in_force = meta.in_force
    if not in_force:
        stated = [e.date for e in events if e.kind == "in_force"]
        tail = "\n".join(c.text for c in doc.clauses[-3:])
        in_force = max(stated, default="") or in_force_from_text(tail)
        if in_force and date and in_force < date:
            in_force = date  # an amended text keeps its original in-force article
    repealed = meta.repealed or max((e.date for e in events if e.kind == "repealed"), default="")
    work = f"{meta.level}|{meta.region}|{normalise_title(meta.title)}"  # same title in another place: another text
    return Version(id=doc.id, work=work, date=date, in_force=in_force, repealed=repealed,
                   draft=meta.status == "draft", repealed_by=meta.repealed_by, events=events)
