"""Index pages of the web interface: search, the whole text of a document, entities and benefits.

The entity and benefit indexes are data pages: filterable by query parameters, and downloadable
as CSV and JSON with the same filters (`/benefits.csv?who=…`, as datasette links its tables).
"""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from policykg.errors import InputError, PolicyKGError
from policykg.ontology import ONTOLOGY_IRI

router = APIRouter(include_in_schema=False)

PREFIXES = (f"PREFIX pol: <{ONTOLOGY_IRI}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
BENEFITS = PREFIXES + """
SELECT ?benefit ?doc ?n ?clauseLabel ?what ?type ?amount ?max ?period ?sentence
       (GROUP_CONCAT(DISTINCT ?who; separator="、") AS ?whom)
       (GROUP_CONCAT(DISTINCT ?agency; separator="、") AS ?agencies) WHERE {
  ?c pol:provides ?benefit ; pol:number ?n ; pol:label ?clauseLabel ; pol:document/dcterms:identifier ?doc .
  ?benefit rdfs:label ?what FILTER(LANG(?what) = "zh")
  OPTIONAL { ?benefit pol:benefitType/skos:notation ?type }
  OPTIONAL { ?benefit pol:beneficiary/skos:prefLabel ?who FILTER(LANG(?who) = "zh") }
  OPTIONAL { ?benefit pol:administeredBy/skos:prefLabel ?agency FILTER(LANG(?agency) = "zh") }
  OPTIONAL { ?benefit pol:amount ?amount } OPTIONAL { ?benefit pol:maxAmount ?max }
  OPTIONAL { ?benefit pol:period ?period } OPTIONAL { ?benefit pol:sentence ?sentence }
} GROUP BY ?benefit ?doc ?n ?clauseLabel ?what ?type ?amount ?max ?period ?sentence
ORDER BY ?doc ?n ?benefit"""
ENTITIES = PREFIXES + """
SELECT ?entity ?label ?kind (COUNT(DISTINCT ?c) AS ?clauses) WHERE {
  ?c pol:mentions ?entity . ?entity a ?k ; skos:prefLabel ?label FILTER(LANG(?label) = "zh")
  FILTER(STRSTARTS(STR(?k), STR(pol:))) BIND(STRAFTER(STR(?k), "#") AS ?kind)
} GROUP BY ?entity ?label ?kind ORDER BY ?kind DESC(?clauses) ?label"""
BENEFIT_FILTERS = ("who", "what", "agency", "type", "document", "min")
ENTITY_FILTERS = ("kind", "label")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def benefit_rows(store, params: dict[str, str]) -> list[dict[str, Any]]:
    """The benefit table (who → what → how much → from whom → which clause), filtered by `params`."""
    try:
        least = float(params["min"]) if params.get("min") else None
    except ValueError:
        raise InputError(f"min must be a number of yuan, not {params['min']!r}") from None
    out = []
    for r in store.select(BENEFITS):
        row = {"who": r["whom"] or "", "what": str(r["what"]), "type": r["type"] or "",
               "amount": _plain(r["amount"]), "max_amount": _plain(r["max"]), "period": r["period"] or "",
               "from_whom": r["agencies"] or "", "document": str(r["doc"]), "clause": int(r["n"]),
               "clause_label": str(r["clauseLabel"]), "sentence": r["sentence"] or "", "iri": str(r["benefit"])}
        value = row["amount"] if row["amount"] is not None else row["max_amount"]
        if params.get("who") and params["who"] not in row["who"]:
            continue
        if params.get("what") and params["what"] not in row["what"]:
            continue
        if params.get("agency") and params["agency"] not in row["from_whom"]:
            continue
        if params.get("type") and params["type"] != row["type"]:
            continue
        if params.get("document") and params["document"] != row["document"]:
            continue
        if least is not None and (value is None or value < least):
            continue
        out.append(row)
    return out


def entity_rows(store, params: dict[str, str]) -> list[dict[str, Any]]:
    rows = [{"label": str(r["label"]), "kind": str(r["kind"]), "clauses": int(r["clauses"]), "iri": str(r["entity"])}
            for r in store.select(ENTITIES)]
    if params.get("kind"):
        rows = [r for r in rows if r["kind"] == params["kind"]]
    if params.get("label"):
        rows = [r for r in rows if params["label"] in r["label"]]
    return rows


def _params(request: Request, names: tuple[str, ...]) -> dict[str, str]:
    return {k: request.query_params[k].strip() for k in names if request.query_params.get(k, "").strip()}


def download(rows: list[dict[str, Any]], fmt: str, name: str) -> Response:
    """Rows as CSV (a header line, UTF-8) or JSON (a list of objects)."""
    if fmt == "json":
        return Response(json.dumps(rows, ensure_ascii=False, indent=1), media_type="application/json")
    buf = io.StringIO()
    fields = list(rows[0]) if rows else []
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


def _links(path: str, params: dict[str, str]) -> dict[str, str]:
    query = ("?" + urlencode(params)) if params else ""
    return {"json": f"{path}.json{query}", "csv": f"{path}.csv{query}"}


@router.get("/benefits", response_class=HTMLResponse)
async def benefits_page(request: Request) -> HTMLResponse:
    from policykg.api.web import render

    params = _params(request, BENEFIT_FILTERS)
    rows = await run_in_threadpool(benefit_rows, request.app.state.store, params)
    every = rows if not params else await run_in_threadpool(benefit_rows, request.app.state.store, {})
    types = sorted({r["type"] for r in every if r["type"]})
    return render(request, "benefits.html", title="Benefits · policykg", rows=rows, params=params, types=types,
                  documents=[d.id for d in request.app.state.store.documents()], data=_links("/benefits", params))


@router.get("/benefits.{fmt}")
async def benefits_data(request: Request, fmt: str) -> Response:
    return await _table_data(request, fmt, "benefits", benefit_rows, BENEFIT_FILTERS)


@router.get("/entities", response_class=HTMLResponse)
async def entities_page(request: Request) -> HTMLResponse:
    from policykg.api.web import render

    params = _params(request, ENTITY_FILTERS)
    rows = await run_in_threadpool(entity_rows, request.app.state.store, params)
    every = rows if not params else await run_in_threadpool(entity_rows, request.app.state.store, {})
    kinds = sorted({r["kind"] for r in every})
    return render(request, "entities.html", title="Entities · policykg", rows=rows, params=params, kinds=kinds,
                  data=_links("/entities", params))


@router.get("/entities.{fmt}")
async def entities_data(request: Request, fmt: str) -> Response:
    return await _table_data(request, fmt, "entities", entity_rows, ENTITY_FILTERS)


async def _table_data(request: Request, fmt: str, name: str, rows_of, filters: tuple[str, ...]) -> Response:
    """/{name}.csv and /{name}.json: the page's rows under the same filters."""
    if fmt not in ("csv", "json"):
        raise InputError(f"no format {fmt!r}: use /{name}.csv or /{name}.json")
    rows = await run_in_threadpool(rows_of, request.app.state.store, _params(request, filters))
    return download(rows, fmt, name)


@router.get("/documents.{fmt}")
async def documents_data(request: Request, fmt: str) -> Response:
    from policykg.api.routes import document_summary

    if fmt not in ("csv", "json"):
        raise InputError(f"no format {fmt!r}: use /documents.csv or /documents.json")
    rows = [document_summary(d) for d in request.app.state.store.documents()]
    for r in rows:
        r["implements"] = " ".join(r["implements"]) if fmt == "csv" else r["implements"]
    return download(rows, fmt, "documents")


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, q: str | None = None, k: int = 10) -> HTMLResponse:
    from policykg.api.web import render

    result, error, status = None, None, 200
    if q is not None and q.strip():
        if not 1 <= k <= 100:
            raise InputError("k must be between 1 and 100")
        try:
            result = await run_in_threadpool(request.app.state.kg.search, q.strip(), k)
        except PolicyKGError as exc:
            error, status = str(exc), getattr(exc, "http_status", 503)
        except ImportError:
            error, status = "search is not available in this installation", 503
    return render(request, "search.html", status=status, title="Search · policykg", q=q or "", k=k, result=result,
                  error=error)


@router.get("/documents/{doc_id}/text", response_class=HTMLResponse)
def document_text(request: Request, doc_id: str) -> HTMLResponse:
    from policykg.api.web import render

    doc = request.app.state.store.document(doc_id)
    return render(request, "document_text.html", title=f"{doc.meta.title} · policykg", doc=doc)


__all__ = ["router", "benefit_rows", "entity_rows"]
