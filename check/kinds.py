"""The registry of finding kinds: what the check can report and how the reports show it.

Each kind declares its name (the ``kind`` of a finding in ``check --json``), its labels in Chinese
and English, its default severity, and how the reports render it: ``mark`` says what the HTML
report underlines in the checked clause (``evidence``: the sentence the finding quotes;
``blanks``: the clause's blanks left to fill; ``none``), ``parent_only`` lists the finding under
the parent clauses the document leaves uncovered. A kind may bring its own ``detect`` (a function
of the :class:`~policykg.check.findings.Checker` returning findings), run after the built-in ones.

Adding a kind is one module that defines a :class:`FindingKind` and one :func:`register` call;
every report renders a kind it does not know by its registered labels, never with a KeyError.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

SEVERITIES = ("high", "medium", "low")
SEVERITY_LABELS = {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")}


@dataclass(frozen=True)
class FindingKind:
    name: str
    zh: str  # label in Chinese (the reports' language)
    en: str
    severity: str = "medium"  # the default severity of its findings
    mark: str = "evidence"  # what the HTML report underlines in the clause: evidence, blanks or none
    parent_only: bool = False  # about a parent clause, not a clause of the document (listed apart)
    detect: Callable[[Any], list] | None = None  # Checker → [Finding] for kinds outside findings.py

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"finding kind {self.name}: severity must be one of {', '.join(SEVERITIES)}")
        if self.mark not in ("evidence", "blanks", "none"):
            raise ValueError(f"finding kind {self.name}: mark must be evidence, blanks or none")

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


KINDS: dict[str, FindingKind] = {}


def register(kind: FindingKind) -> FindingKind:
    """Add (or replace) a finding kind; returns it."""
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)


def get(name: str) -> FindingKind:
    """The registered kind `name`; an unregistered one (from an older result) is shown by its name."""
    return KINDS.get(name) or FindingKind(name, name, name)


def severity_label(severity: str, lang: str = "zh") -> str:
    pair = SEVERITY_LABELS.get(severity)
    return severity if pair is None else pair[0 if lang == "zh" else 1]


for _kind in (
    FindingKind("placeholder", "待填空白", "blank left to fill", "high", mark="blanks"),
    FindingKind("number_mismatch", "数字不一致", "figure differs", "high"),
    FindingKind("weakened_modality", "要求弱化", "requirement weakened", "high"),
    FindingKind("strengthened_modality", "要求强化", "requirement strengthened", "medium"),
    FindingKind("omitted_obligation", "遗漏义务", "obligation omitted", "medium", mark="none"),
    FindingKind("not_covered", "上级条款未落实", "parent clause not covered", "medium", mark="none", parent_only=True),
):
    register(_kind)
