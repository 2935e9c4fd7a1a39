"""Typed response models: the OpenAPI description of every JSON answer (CONTRACT.md section 3–4)."""
from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field


class ErrorResponse(BaseModel):
    """Every 4xx/503 answer."""

    error: str = Field(description="what was wrong and what to do, one line")


class VersionInfo(BaseModel):
    """Which version of its text a clause belongs to."""

    date: Optional[str] = Field(None, description="the version's date (adopted, revised or amended), ISO")
    in_force: Optional[str] = Field(None, description="first day in force, ISO")
    until: Optional[str] = Field(None, description="first day no longer in force (replaced or repealed), ISO")
    replaces: list[str] = []
    replaced_by: list[str] = []


class ClauseRef(BaseModel):
    """A clause reference, wherever one appears."""

    document: str
    number: int
    label: str
    title: str
    text: str
    iri: str
    score: Optional[float] = None
    status: Optional[str] = Field(None, description="the text's status on the day asked about: in_force, draft, "
                                                    "superseded, repealed or not_yet_in_force")
    version: Optional[VersionInfo] = None


class Fact(BaseModel):
    subject: str
    predicate: str
    object: str


class AskResponse(BaseModel):
    question: str
    language: str
    answer: str
    abstained: bool
    citations: list[ClauseRef]
    facts: list[Fact]


class SearchResponse(BaseModel):
    query: str
    hits: list[ClauseRef]


class DocumentBase(BaseModel):
    id: str
    title: str
    level: str
    region: str
    number: str = Field(description="the document number as printed (文号), or empty")
    date: str
    status: str
    text: str = Field(description="'full' or 'digest'")
    implements: list[str]
    iri: str


class DocumentSummary(DocumentBase):
    clauses: int = Field(description="number of clauses")


class Section(BaseModel):
    label: str
    title: str
    first_clause: int


class DocumentDetail(DocumentBase):
    preamble: str
    sections: list[Section]
    clauses: list[ClauseRef]


class Item(BaseModel):
    label: str
    text: str


class Entity(BaseModel):
    iri: str
    label: str
    types: list[str] = Field(description="pol: class names (TalentCategory, Agency, …)")


class Benefit(BaseModel):
    iri: str
    label: str
    type: Optional[str] = None
    amount: Optional[float] = Field(None, description="yuan")
    max_amount: Optional[float] = Field(None, description="yuan, where the text says 最高 / 不超过")
    beneficiaries: list[Entity]
    agencies: list[Entity]


class AlignmentRef(BaseModel):
    direction: Literal["parent", "child"] = Field(
        description="parent: this clause aligns with a clause of a document it implements; "
                    "child: a clause of an implementing document aligns with this one")
    score: Optional[float] = None
    clause: ClauseRef


class ClauseDetail(ClauseRef):
    section_label: str
    section_title: str
    items: list[Item]
    entities: list[Entity]
    benefits: list[Benefit]
    alignments: list[AlignmentRef]


class CheckAlignment(BaseModel):
    clause: int
    parent_document: str
    parent_clause: int
    score: float
    accepted: bool = Field(True, description="whether the pair is close enough to count as a counterpart (pol:alignsWith)")


class Finding(BaseModel):
    kind: str
    severity: str
    clause: Optional[int] = None
    parent_document: Optional[str] = None
    parent_clause: Optional[int] = None
    message: str
    evidence: dict[str, Any] = Field(default_factory=dict, description="text, parent_text and figures behind the finding")


class CheckResponse(BaseModel):
    document: str
    parents: list[str]
    missing_parents: list[str] = Field(default_factory=list, description="parents that no loaded corpus holds")
    warnings: list[str] = Field(default_factory=list)
    alignments: list[CheckAlignment]
    findings: list[Finding]
    revision: Optional[dict[str, Any]] = Field(
        None, description="for a new version or a draft: the article map from the version it revises "
                          "(the `policykg diff` JSON: counts, pairs with relation and character diff)")
