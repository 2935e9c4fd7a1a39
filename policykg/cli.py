"""The `policykg` command line: parses options and calls `PolicyKG` (nothing else lives here)."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from policykg.errors import InputError, PolicyKGError

app = typer.Typer(
    help="policykg: a knowledge graph, question answering and consistency checks over Chinese policy documents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", help="store folder or sparql+http://… URL [env: POLICYKG_STORE; default: ./.policykg]",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]


def _kg(store: str | None):
    from policykg.app import PolicyKG

    return PolicyKG(store=store)


def _print_json(data) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _corpus_folders(corpus: list[Path] | None) -> list[Path]:
    if corpus:
        return list(corpus)
    env = os.environ.get("POLICYKG_CORPUS", "")
    if env.strip():
        return [Path(p) for p in env.split(":") if p.strip()]
    from policykg.settings import Settings

    return [Settings.from_env().project_root / "corpus"]


@app.command()
def build(
    corpus: Annotated[Optional[list[Path]], typer.Option("--corpus", help="corpus folder (repeatable) [env: POLICYKG_CORPUS, ':'-separated]")] = None,
    store: StoreOpt = None,
) -> None:
    """Ingest the corpus, extract, build the graph and the search indexes into the store."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from policykg.build import STAGES

    kg = _kg(store)
    console = Console(stderr=True)
    names = list(STAGES)
    with Progress(SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task("build", total=len(names))

        def progress(message: str) -> None:
            if message in names:
                bar.update(task, completed=names.index(message), description=message)
            else:
                bar.update(task, description=message)

        report = kg.build(_corpus_folders(corpus), progress=progress)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    docs = ", ".join(f"{d} ({n} clauses)" for d, n in report.documents.items())
    typer.echo(f"built {report.store}: {docs}; {report.triples} triples in {report.seconds:.1f} s")


@app.command()
def documents(store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """List the documents in the store."""
    kg = _kg(store)
    rows = [{"id": d.id, "title": d.meta.title, "level": d.meta.level, "status": d.meta.status,
             "clauses": len(d.clauses), "implements": d.meta.implements} for d in kg.documents()]
    if as_json:
        _print_json(rows)
        return
    for r in rows:
        parents = f"  → {', '.join(r['implements'])}" if r["implements"] else ""
        typer.echo(f"{r['id']:<20} {r['clauses']:>3} clauses  {r['level']:<10} {r['title']}{parents}")


@app.command()
def show(
    document: Annotated[str, typer.Argument(help="document id")],
    number: Annotated[Optional[int], typer.Argument(help="clause number (1-based); omit to list the clauses")] = None,
    store: StoreOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Print a clause, or the clauses of a document."""
    kg = _kg(store)
    if number is None:
        doc = kg.document(document)
        if as_json:
            _print_json({"id": doc.id, "meta": doc.to_dict()["meta"], "preamble": doc.preamble,
                         "clauses": [kg.clause_ref(c) for c in doc.clauses]})
            return
        typer.echo(doc.meta.title)
        for c in doc.clauses:
            typer.echo(f"{c.number:>3} {c.label}{c.title or c.text[:30]}")
        return
    clause = kg.clause(document, number)
    if as_json:
        _print_json(kg.clause_ref(clause))
        return
    typer.echo(f"{clause.label}{clause.title}")
    typer.echo(clause.text)


@app.command()
def ask(question: Annotated[str, typer.Argument(help="a question in Chinese or English")],
        store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Answer a question from the documents, citing the clause."""
    result = _kg(store).ask(question)
    if as_json:
        _print_json(result)
        return
    typer.echo(result["answer"])
    for ref in result["citations"][:3]:
        typer.echo(f"  [{ref['document']} {ref['label']}{ref['title']}] {ref['iri']}")


@app.command()
def search(query: Annotated[str, typer.Argument(help="what to look for")],
           k: Annotated[int, typer.Option("-k", help="number of hits (1–100)")] = 5,
           store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Semantic search over clauses."""
    result = _kg(store).search(query, k=k)
    if as_json:
        _print_json(result)
        return
    for hit in result["hits"]:
        typer.echo(f"{hit['score']:.3f}  {hit['document']} {hit['label']}{hit['title']}  {hit['text'][:60]}")


@app.command()
def check(
    document: Annotated[str, typer.Argument(help="document id")],
    as_json: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown report")] = False,
    as_html: Annotated[bool, typer.Option("--html", help="print a self-contained side-by-side HTML page")] = False,
    store: StoreOpt = None,
) -> None:
    """Check a document against the documents it implements."""
    if sum((as_json, markdown, as_html)) > 1:
        raise InputError("choose one of --json, --markdown, --html")
    kg = _kg(store)
    result = kg.check(document)
    if as_json:
        _print_json(result)
        return
    from policykg.check import report

    if as_html:
        typer.echo(report.to_html(kg.store, result))
    elif markdown:
        typer.echo(report.to_markdown(kg.store, result))
    else:
        typer.echo(report.to_text(kg.store, result))


@app.command()
def sparql(query: Annotated[str, typer.Argument(help="a SPARQL 1.1 query, or @FILE to read it from a file")],
           fmt: Annotated[Optional[str], typer.Option(
               "--format", help="result format: json (srj), xml (srx), csv, tsv for SELECT/ASK; ttl, nt, nq, jsonld, "
                                "rdfxml, trig for CONSTRUCT/DESCRIBE; or a media type")] = None,
           store: StoreOpt = None) -> None:
    """Run a read-only SPARQL 1.1 query on the store."""
    if query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{query[1:]}: cannot read the query file: {exc.strerror}") from None
    result = _kg(store).sparql(query, fmt)
    sys.stdout.buffer.write(result.body)  # the bytes /sparql sends for the same query and format
    if sys.stdout.isatty() and not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="RDF format: ttl, nt, nq, jsonld, rdfxml, trig")] = "ttl",
           store: StoreOpt = None) -> None:
    """Write the whole graph to standard output."""
    sys.stdout.buffer.write(_kg(store).export(fmt))


@app.command(name="eval")
def evaluate(file: Annotated[Path, typer.Argument(help="a question file in the form of qa-dev.jsonl")],
             store: StoreOpt = None, as_json: JsonOpt = False) -> None:
    """Score question answering on a question file (hit@1, hit@3, answer accuracy, baselines)."""
    from policykg.qa.evaluate import evaluate_file, format_report

    result = evaluate_file(_kg(store).searcher, file)
    if as_json:
        _print_json(result)
    else:
        typer.echo(format_report(result))


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          store: StoreOpt = None) -> None:
    """Serve the HTTP API, the SPARQL endpoint and the web interface."""
    import uvicorn

    from policykg.api import create_app

    kg = _kg(store)
    kg.store.require()  # fail early, with one line, when there is no store
    uvicorn.run(create_app(kg), host=host, port=port, log_level="info")


def main() -> None:
    """Entry point: one line on standard error for any failure, never a traceback."""
    try:
        app(standalone_mode=False)
    except PolicyKGError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("error: interrupted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except Exception as exc:  # click usage errors and anything unexpected
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("POLICYKG_DEBUG"):
            raise
        typer.echo(f"error: {exc.__class__.__name__}: {' '.join(str(exc).split())} "
                   "(set POLICYKG_DEBUG=1 for details)", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
