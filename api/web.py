"""The web interface: server-rendered HTML (Jinja2, autoescaped), no build step, no CDN.

Pages: Ask (`/`), Browse (`/documents…`, `/entity`), Drafter (`/drafter…`), SPARQL console
(`/query`) and the SVG picture of the graph around a clause. Everything a user typed is
escaped by the templates; the SVG escapes its own labels.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from policykg import __version__
from policykg.api import graphview, svg
from policykg.api.linked import href as linked_href
from policykg.errors import NotFound, PolicyKGError
from policykg.kg.query import QueryRequest
from policykg.ontology import ID, NAMESPACES, ONTOLOGY_IRI, clause_iri
from policykg.text import sentence_bounds

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent
# the drafter's report body is one template shared with `check --html` (policykg/check/templates)
env = Environment(loader=FileSystemLoader([str(HERE / "templates"), str(HERE.parent / "check" / "templates")]), autoescape=select_autoescape(default=True),
                  trim_blocks=True, lstrip_blocks=True)
env.filters["q"] = lambda s: quote(str(s), safe="")


def curie(value: object) -> str:
    """An IRI shortened with the id: prefix or a prefix of the RDF output (other text unchanged)."""
    text = str(value)
    for prefix, base in (("id", str(ID)), *NAMESPACES.items()):
        if text.startswith(base):
            return f"{prefix}:{text[len(base):]}"
    return text


env.filters["curie"] = curie
env.filters["idhref"] = lambda iri: linked_href(str(iri))

EXAMPLE_QUESTIONS = [
    "C类人才享受什么待遇？",
    "What does a C-tier talent receive?",
    "获得嘉定工匠称号有什么奖励？",
    "高技能人才可以申请哪些补贴？",
    "Which agency pays the skills subsidies?",
]

PREFIXES = (f"PREFIX pol: <{ONTOLOGY_IRI}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
            "PREFIX dcterms: <http://purl.org/dc/terms/>\n")
EXAMPLE_QUERIES = [
    ("Documents and the documents they implement", PREFIXES + """SELECT ?id ?title ?parent WHERE {
  ?doc a pol:Document ; dcterms:identifier ?id ; rdfs:label ?title .
  OPTIONAL { ?doc pol:implements ?p . ?p dcterms:identifier ?parent }
} ORDER BY ?id"""),
    ("Benefits: clause → benefit → beneficiary, amount, agency", PREFIXES + """SELECT ?clause ?benefit ?beneficiary ?amount ?maxAmount ?agency WHERE {
  ?c pol:provides ?b ; rdfs:label ?clause .
  ?b rdfs:label ?benefit FILTER(LANGMATCHES(LANG(?benefit), "zh"))
  OPTIONAL { ?b pol:beneficiary/rdfs:label ?beneficiary FILTER(LANGMATCHES(LANG(?beneficiary), "zh")) }
  OPTIONAL { ?b pol:amount ?amount }
  OPTIONAL { ?b pol:maxAmount ?maxAmount }
  OPTIONAL { ?b pol:administeredBy/rdfs:label ?agency FILTER(LANGMATCHES(LANG(?agency), "zh")) }
} ORDER BY DESC(COALESCE(?maxAmount, ?amount, 0)) LIMIT 100"""),
    ("Draft clauses and the parent clauses they align with", PREFIXES + """SELECT ?doc ?n ?parentDoc ?parentN WHERE {
  ?c pol:alignsWith ?p ; pol:number ?n ; pol:document/dcterms:identifier ?doc .
  ?p pol:number ?parentN ; pol:document/dcterms:identifier ?parentDoc .
} ORDER BY ?doc ?n ?parentDoc ?parentN LIMIT 200"""),
    ("Entities by kind", PREFIXES + """SELECT ?kind (COUNT(DISTINCT ?e) AS ?entities) WHERE {
  ?c pol:mentions ?e . ?e a ?kind .
} GROUP BY ?kind ORDER BY DESC(?entities)"""),
    ("Clauses per document", PREFIXES + """SELECT ?id (COUNT(?c) AS ?clauses) WHERE {
  ?c a pol:Clause ; pol:document/dcterms:identifier ?id .
} GROUP BY ?id ORDER BY ?id"""),
    ("Is any benefit worth more than 10 000 yuan?", PREFIXES + """ASK {
  ?b a pol:Benefit .
  { ?b pol:amount ?v } UNION { ?b pol:maxAmount ?v }
  FILTER(?v > 10000)
}"""),
    ("The graph around clause 1 of a document (CONSTRUCT)", PREFIXES + """CONSTRUCT { ?c ?p ?o . ?o ?p2 ?o2 } WHERE {
  ?c a pol:Clause ; pol:number 1 ; ?p ?o .
  OPTIONAL { ?o ?p2 ?o2 FILTER(?p2 != pol:text) }
} LIMIT 60"""),
]


def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    ctx.setdefault("title", "policykg")
    html = env.get_template(template).render(request=request, version=__version__, path=request.url.path,
                                             status=status, **ctx)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


# the pages run no script at all: a stray one (say, from a corpus text) could not run either
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def error_page(request: Request, status: int, message: str) -> str:
    return env.get_template("error.html").render(request=request, version=__version__, path=request.url.path,
                                                 title=f"{status}", status=status, message=message)


# -- marking text --------------------------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    text = re.sub(r"\s+", "", text.lower())
    return {text[i:i + 2] for i in range(len(text) - 1)}


def answering_sentence(text: str, answer: str, facts: list[dict], question: str) -> tuple[int, int] | None:
    """The span of the clause sentence that best matches the answer (then facts, then question)."""
    sentences = sentence_bounds(text)  # the one splitter (policykg.text)
    if not sentences:
        return None
    evidence = [answer, " ".join(str(f.get("object", "")) for f in facts), question]
    for source in evidence:
        grams = _bigrams(source)
        if not grams:
            continue
        scored = [(len(_bigrams(text[s:e]) & grams) / (1 + 0.01 * (e - s)), (s, e)) for s, e in sentences]
        best = max(scored)
        if best[0] >= 1:
            return best[1]
    return None


def segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Text cut into (piece, marked) pieces for the template (which escapes each piece)."""
    out: list[tuple[str, bool]] = []
    at = 0
    for s, e in sorted(spans):
        if s < at:
            continue
        if s > at:
            out.append((text[at:s], False))
        out.append((text[s:e], True))
        at = e
    if at < len(text):
        out.append((text[at:], False))
    return out


_BLANK = "＿_ \u3000\t"


def find_spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where each evidence snippet occurs in `text`; a blank (＿, _ or spaces) matches any blank run."""
    spans = []
    for needle in needles:
        needle = (needle or "").strip()
        if len(needle) < 2:
            continue
        pattern = "".join(r"[\s＿_]*" if ch in _BLANK else re.escape(ch) for ch in needle)
        m = re.search(pattern, text)
        if m and m.end() > m.start():
            spans.append((m.start(), m.end()))
    return spans


# -- pages ---------------------------------------------------------------------------------
@router.get("/", response_class=HTMLResponse)
def ask_page(request: Request, q: str | None = None) -> HTMLResponse:
    kg = request.app.state.kg
    result, error, first, error_status = None, None, None, 200
    if q is not None:
        try:
            result = kg.ask(q)
        except PolicyKGError as exc:
            error, error_status = str(exc), getattr(exc, "http_status", 503)
        except ImportError:
            error, error_status = "question answering is not available in this installation", 503
    if result and result.get("citations"):
        ref = result["citations"][0]
        span = answering_sentence(ref["text"], result.get("answer", ""), result.get("facts", []), result["question"])
        first = {"ref": ref, "segments": segments(ref["text"], [span] if span else []),
                 "doc_title": _doc_title(request.app.state.store, ref["document"])}
    return render(request, "ask.html", status=error_status if error else 200, title="Ask · policykg", q=q or "",
                  result=result, error=error, first=first, examples=EXAMPLE_QUESTIONS)


def _doc_title(store, doc_id: str) -> str:
    try:
        return store.document(doc_id).meta.title
    except NotFound:
        return doc_id


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request) -> HTMLResponse:
    return render(request, "documents.html", title="Documents · policykg", documents=request.app.state.store.documents())


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document_page(request: Request, doc_id: str) -> HTMLResponse:
    doc = request.app.state.store.document(doc_id)
    return render(request, "document.html", title=f"{doc.meta.title} · policykg", doc=doc)


def clause_graph(store, detail: dict[str, Any]) -> str:
    """The SVG picture: parent clauses ← clause → benefit → beneficiary / agency, and mentions."""
    me = detail["iri"]
    nodes = {me: svg.Node(me, f"{detail['label']}{detail['title']}" or detail["label"], "clause", 1,
                          note=_doc_title(store, detail["document"]))}
    edges: list[svg.Edge] = []
    for a in detail["alignments"]:  # parents first, then the clauses that implement this one
        ref = a["clause"]
        if ref["iri"] in nodes or len([n for n in nodes.values() if n.column == 0]) >= 6:
            continue
        nodes[ref["iri"]] = svg.Node(ref["iri"], f"{ref['label']}{ref['title']}", a["direction"], 0,
                                     href=f"/documents/{quote(ref['document'])}/clauses/{ref['number']}",
                                     note=ref["document"] + (f" · {a['score']:.2f}" if a["score"] is not None else ""))
        if a["direction"] == "parent":
            edges.append(svg.Edge(me, ref["iri"], "alignsWith"))
        else:
            edges.append(svg.Edge(ref["iri"], me, "alignsWith"))
    agencies = {e["iri"] for b in detail["benefits"] for e in b["agencies"]}
    for b in detail["benefits"]:
        amount = b["max_amount"] if b["max_amount"] is not None else b["amount"]
        note = (("最高 " if b["max_amount"] is not None else "") + f"{amount:,.0f} 元") if amount is not None else (b["type"] or "")
        nodes[b["iri"]] = svg.Node(b["iri"], b["label"], "benefit", 2, note=note)
        edges.append(svg.Edge(me, b["iri"], "provides"))
        for e in b["beneficiaries"]:
            nodes.setdefault(e["iri"], svg.Node(e["iri"], e["label"], "entity", 3, href=_entity_href(e["iri"]),
                                                note=", ".join(e["types"])))
            edges.append(svg.Edge(b["iri"], e["iri"], "beneficiary"))
        for e in b["agencies"]:
            nodes.setdefault(e["iri"], svg.Node(e["iri"], e["label"], "agency", 4, href=_entity_href(e["iri"]),
                                                note=", ".join(e["types"])))
            edges.append(svg.Edge(b["iri"], e["iri"], "administeredBy"))
    linked = {e["iri"] for b in detail["benefits"] for e in b["beneficiaries"] + b["agencies"]}
    for e in detail["entities"]:
        if e["iri"] in linked:
            continue  # already drawn as a beneficiary or agency
        if e["iri"] not in nodes:
            kind, col = ("agency", 4) if ("Agency" in e["types"] or e["iri"] in agencies) else ("entity", 3)
            nodes[e["iri"]] = svg.Node(e["iri"], e["label"], kind, col, href=_entity_href(e["iri"]),
                                       note=", ".join(e["types"]))
        edges.append(svg.Edge(me, e["iri"], "mentions"))
    return svg.render(list(nodes.values()), edges, title=f"graph around {detail['document']} {detail['label']}")


def _entity_href(iri: str) -> str:
    return "/entity?iri=" + quote(iri, safe="")


@router.get("/documents/{doc_id}/clauses/{number}", response_class=HTMLResponse)
def clause_page(request: Request, doc_id: str, number: int) -> HTMLResponse:
    store = request.app.state.store
    detail = graphview.clause_detail(store, doc_id, number)
    doc = store.document(doc_id)
    parents = [a for a in detail["alignments"] if a["direction"] == "parent"]
    children = [a for a in detail["alignments"] if a["direction"] == "child"]
    return render(request, "clause.html", title=f"{doc_id} {detail['label']} · policykg", c=detail, doc=doc,
                  parents=parents, children=children, graph=Markup(clause_graph(store, detail)),
                  prev=doc.adjacent(number)[0], next=doc.adjacent(number)[1])


@router.get("/documents/{doc_id}/clauses/{number}/graph.svg")
def clause_svg(request: Request, doc_id: str, number: int) -> Response:
    store = request.app.state.store
    return Response(clause_graph(store, graphview.clause_detail(store, doc_id, number)), media_type="image/svg+xml",
                    headers=SECURITY_HEADERS)


@router.get("/entity", response_class=HTMLResponse)
def entity_page(request: Request, iri: str) -> HTMLResponse:
    store = request.app.state.store
    view = graphview.entity_detail(store, iri)
    nodes = [svg.Node(view.iri, view.label, "agency" if "Agency" in view.types else "entity", 1,
                      note=", ".join(view.types))]
    edges = []
    clause_refs = []
    for d, n in view.clauses[:12]:
        try:
            ref = store.clause_ref(store.clause(d, n))
        except NotFound:
            continue
        clause_refs.append(ref)
        nodes.append(svg.Node(ref["iri"], f"{ref['label']}{ref['title']}", "clause", 0,
                              href=f"/documents/{quote(d)}/clauses/{n}", note=d))
        edges.append(svg.Edge(ref["iri"], view.iri, "mentions"))
    for b in view.benefits[:12]:
        nodes.append(svg.Node(b["iri"], b["label"], "benefit", 2, note=b["role"]))
        edges.append(svg.Edge(b["iri"], view.iri, "beneficiary" if b["role"] == "beneficiary" else "administeredBy"))
    picture = svg.render(nodes, edges, title=f"graph around {view.label}")
    return render(request, "entity.html", title=f"{view.label} · policykg", e=view, clauses=clause_refs,
                  graph=Markup(picture))


# -- drafter -------------------------------------------------------------------------------
@router.get("/drafter", response_class=HTMLResponse)
def drafter_index(request: Request) -> HTMLResponse:
    docs = [d for d in request.app.state.store.documents() if d.meta.implements]
    return render(request, "drafter_index.html", title="Drafter · policykg", documents=docs)


@router.get("/drafter.css")
def drafter_css() -> Response:
    """The stylesheet of the drafter's report (the same as `check --html` inlines)."""
    from policykg.check.report import CSS

    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/drafter/{doc_id}", response_class=HTMLResponse)
def drafter_page(request: Request, doc_id: str) -> HTMLResponse:
    """The check report of one document: the body `check --html` renders, filtered by the GET
    parameters `kind` and `severity` (repeatable) and `only=1` (clauses with findings only)."""
    from policykg.check.report import SEVERITIES, view

    store = request.app.state.store
    doc = store.document(doc_id)
    try:
        report = request.app.state.kg.check(doc_id)
    except ImportError:
        return render(request, "error.html", status=503, title="503 · policykg",
                      message="the consistency check is not available in this installation")
    params = request.query_params
    kinds = [k for k in params.getlist("kind") if k]
    severities = [s for s in params.getlist("severity") if s in SEVERITIES]
    v = view(store, report, kinds=kinds, severities=severities, only_findings=params.get("only") in ("1", "on", "true"),
             links=True)
    return render(request, "drafter.html", title=f"Check {doc_id} · policykg", doc=doc, report=report, v=v)


# -- SPARQL console ------------------------------------------------------------------------
def _cell(term: dict[str, Any] | None) -> dict[str, str]:
    if term is None:
        return {"text": "", "href": "", "kind": ""}
    value = str(term.get("value", ""))
    if term.get("type") == "uri":
        href = ""
        base = str(ID)
        if value.startswith(base):
            rest = value[len(base):]
            m = re.fullmatch(r"([a-z0-9][a-z0-9-]*)/clause/(\d+)", rest)
            if m:
                href = f"/documents/{m.group(1)}/clauses/{m.group(2)}"
            elif re.fullmatch(r"[a-z0-9][a-z0-9-]*", rest):
                href = f"/documents/{rest}"
            else:
                href = _entity_href(value)
        return {"text": value, "href": href, "kind": "uri"}
    suffix = f"@{term['xml:lang']}" if term.get("xml:lang") else ""
    return {"text": value + suffix, "href": "", "kind": term.get("type", "literal")}


@router.get("/query", response_class=HTMLResponse)
async def console(request: Request, query: str | None = None) -> HTMLResponse:
    endpoint = request.app.state.sparql
    table, boolean, graph_text, error, truncated, seconds, status = None, None, None, None, False, None, 200
    if query is not None and query.strip():
        req = QueryRequest(query=query, accept=["application/sparql-results+json", "text/turtle"])
        try:
            result = await endpoint.submit(request, req)
            truncated, seconds = result.truncated, result.seconds
            if result.kind == "select":
                data = json.loads(result.body)
                names = data["head"]["vars"]
                table = {"vars": names, "rows": [[_cell(b.get(n)) for n in names]
                                                 for b in data["results"]["bindings"]]}
            elif result.kind == "ask":
                boolean = json.loads(result.body).get("boolean")
            else:
                graph_text = result.body.decode("utf-8", "replace")
        except PolicyKGError as exc:
            error, status = str(exc), getattr(exc, "http_status", 503)
    shown = query if query is not None else EXAMPLE_QUERIES[0][1]
    return render(request, "query.html", status=status, title="SPARQL · policykg", query=shown, examples=EXAMPLE_QUERIES,
                  table=table, boolean=boolean, graph_text=graph_text, error=error, truncated=truncated,
                  seconds=seconds, ran=bool(query and query.strip()), max_rows=endpoint.max_rows)
