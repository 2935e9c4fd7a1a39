"""A toy finding kind for the registry test: clauses that announce a pilot scheme (试点)."""
from __future__ import annotations

from policykg.check.findings import Finding, where
from policykg.check.kinds import FindingKind


def detect(checker) -> list[Finding]:
    return [Finding("pilot_scheme", "", c.number, None, None, f"{where(checker.doc, c, True)}安排了试点。", text=c.text)
            for c in checker.doc.clauses if "试点" in c.text]


PILOT = FindingKind("pilot_scheme", "试点安排", "pilot scheme", "low", detect=detect)
