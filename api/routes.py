"""The JSON API (CONTRACT.md section 4): a thin adapter over `PolicyKG` (operations) and its `Store` (reads)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Path, Query, Request

from policykg.api import graphview
from policykg.api.models import (AskResponse, CheckResponse, ClauseDetail, DocumentDetail, DocumentSummary,
                                 ErrorResponse, SearchResponse)
from policykg.ontology import document_iri

router = APIRouter(prefix="/api", tags=["api"])

ERR = {"model": ErrorResponse}
BAD = {400: {**ERR, "description": "bad input"}, 503: {**ERR, "description": "not available"}}
MISSING = {**BAD, 404: {**ERR, "description": "no such document or clause"}}

# at least one character that is not white space in Python's sense (str.split), written so that
# pydantic (Rust regex) and schemathesis (Python re) read it alike
TEXT = r"[^\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


def _kg(request: Request):
    return request.app.state.kg


def _store(request: Request):
    return request.app.state.store


def document_summary(doc) -> dict[str, Any]:
    m = doc.meta
    return {"id": doc.id, "title": m.title, "level": m.level, "region": m.region, "number": m.number,
            "date": m.date, "status": m.status, "text": m.text, "implements": list(m.implements),
            "iri": str(document_iri(doc.id)), "clauses": len(doc.clauses)}


@router.get("/ask", response_model=AskResponse, responses=BAD, summary="Answer a question (zh or en)")
def ask(request: Request,
        q: Annotated[str, Query(min_length=1, max_length=1000, pattern=TEXT,
                                description="a question in Chinese or English")],
        as_of: Annotated[Optional[dt.date], Query(description="answer from the texts in force that day "
                                                              "(YYYY-MM-DD; default today)")] = None) -> Any:
    """The `ask --json` object: answer, citations (best first, each with its version and status), facts used."""
    return _kg(request).ask(q, as_of=as_of.isoformat() if as_of else None)


@router.get("/search", response_model=SearchResponse, responses=BAD, summary="Semantic search over clauses")
def search(request: Request,
           q: Annotated[str, Query(min_length=1, max_length=1000, pattern=TEXT, description="what to look for")],
           k: Annotated[int, Query(ge=1, le=100, description="number of hits")] = 5,
           as_of: Annotated[Optional[dt.date], Query(description="search the texts in force that day "
                                                                 "(YYYY-MM-DD; default today)")] = None) -> Any:
    """The `search --json` object."""
    return _kg(request).search(q, k=k, as_of=as_of.isoformat() if as_of else None)


@router.get("/documents", response_model=list[DocumentSummary], responses=BAD, summary="The documents")
def documents(request: Request) -> Any:
    return [document_summary(d) for d in _store(request).documents()]


DocId = Annotated[str, Path(description="document id (manifest id)")]


@router.get("/documents/{doc_id}", response_model=DocumentDetail, responses=MISSING,
            summary="One document with its clauses")
def document(request: Request, doc_id: DocId) -> Any:
    store = _store(request)
    doc = store.document(doc_id)
    out = document_summary(doc)
    out.update(preamble=doc.preamble,
               sections=[{"label": s.label, "title": s.title, "first_clause": s.first_clause} for s in doc.sections],
               clauses=[store.clause_ref(c) for c in doc.clauses])
    return out


@router.get("/documents/{doc_id}/clauses/{number}", response_model=ClauseDetail, responses=MISSING,
            summary="One clause with its entities, benefits and alignments")
def clause(request: Request, doc_id: DocId,
           number: Annotated[int, Path(description="clause number (1-based)")]) -> Any:
    return graphview.clause_detail(_store(request), doc_id, number)


@router.get("/check/{doc_id}", response_model=CheckResponse, responses=MISSING,
            summary="Consistency of a document with the documents it implements")
def check(request: Request, doc_id: DocId) -> Any:
    """The `check --json` object."""
    return _kg(request).check(doc_id)
