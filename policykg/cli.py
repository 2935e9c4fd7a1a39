"""The `policykg` command line: parses options and calls `PolicyKG` (nothing else lives here).

Heavy libraries (torch, sentence-transformers, spaCy) are imported inside the commands that need
them, never at the top of this module: `--help`, `show`, `documents`, `sparql` and `export` start
in well under a second. Usage errors are one line and exit 2; Ctrl-C exits 130, SIGTERM 143.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated, Optional

import typer

from policykg import __version__
from policykg.errors import InputError, Interrupted, PolicyKGError, StoreBusy

app = typer.Typer(
    help="policykg: a knowledge graph, question answering and consistency checks over Chinese policy documents.",
    no_args_is_help=False,  # no command is a usage error (exit 2), reported by main()
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Rich markup would read "[env: …]" as a style tag and drop it: the brackets are escaped.
StoreOpt = Annotated[
    Optional[str],
    typer.Option("--store", help="store folder or sparql+http://… URL \\[env: POLICYKG_STORE; default: ./.policykg]",
                 show_default=False),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="print JSON")]

_global: dict[str, Optional[str]] = {"store": None}  # options given before the command


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"policykg {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[bool, typer.Option("--version", help="print the version and exit", callback=_show_version,
                                          is_eager=True)] = False,
    store: StoreOpt = None,
) -> None:
    """Options given before the command apply to it (a command's own --store wins)."""
    _global["store"] = store


def _kg(store: str | None):
    from policykg.app import PolicyKG

    return PolicyKG(store=store or _global["store"])


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
    corpus: Annotated[Optional[list[Path]], typer.Option("--corpus", help="corpus folder (repeatable) \\[env: POLICYKG_CORPUS, ':'-separated]")] = None,
    store: StoreOpt = None,
    wait: Annotated[bool, typer.Option("--wait", help="if another build is writing the store, wait for it instead of refusing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON summary (documents, clauses, triples, warnings, skipped, seconds)")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="any warning (a skipped document, a missing parent) fails the build (exit 2, store kept)")] = False,
) -> None:
    """Ingest the corpus, extract, build the graph and the search indexes into the store."""
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from policykg.build import STAGES

    kg = _kg(store)
    folders = _corpus_folders(corpus)
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

        waiting = False
        while True:
            try:
                report = kg.build(folders, progress=progress, strict=strict)
                break
            except StoreBusy as busy:
                if not wait:
                    raise
                if not waiting:  # one line, then wait for the lock (Ctrl-C stops waiting)
                    typer.echo(f"waiting: another build (pid {busy.holder or 'unknown'}) is writing the store", err=True)
                    waiting = True
                time.sleep(0.5)
    for warning in report.warnings:
        typer.echo(f"warning: {warning}", err=True)
    if as_json:
        _print_json({"store": report.store,
                     "documents": [{"id": d, "clauses": n} for d, n in report.documents.items()],
                     "clauses": sum(report.documents.values()), "triples": report.triples,
                     "warnings": report.warnings, "skipped": report.skipped, "seconds": round(report.seconds, 2)})
        return
    docs = ", ".join(f"{d} ({n} clauses)" for d, n in report.documents.items())
    skipped = f"; skipped {len(report.skipped)}: {', '.join(s['id'] for s in report.skipped)}" if report.skipped else ""
    typer.echo(f"built {report.store}: {docs}; {report.triples} triples in {report.seconds:.1f} s{skipped}")


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


AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="use the texts in force that day (YYYY-MM-DD; default today)")]


@app.command()
def ask(question: Annotated[str, typer.Argument(help="a question in Chinese or English")],
        store: StoreOpt = None, as_json: JsonOpt = False, as_of: AsOfOpt = None) -> None:
    """Answer a question from the documents, citing the clause."""
    result = _kg(store).ask(question, as_of=as_of)
    if as_json:
        _print_json(result)
        return
    typer.echo(result["answer"])
    for ref in result["citations"][:3]:
        typer.echo(f"  [{ref['document']} {ref['label']}{ref['title']}{_version_note(ref)}] {ref['iri']}")


@app.command()
def search(query: Annotated[str, typer.Argument(help="what to look for")],
           k: Annotated[int, typer.Option("-k", help="number of hits (1–100)", min=1, max=100)] = 5,
           store: StoreOpt = None, as_json: JsonOpt = False, as_of: AsOfOpt = None) -> None:
    """Semantic search over clauses."""
    result = _kg(store).search(query, k=k, as_of=as_of)
    if as_json:
        _print_json(result)
        return
    for hit in result["hits"]:
        typer.echo(f"{hit['score']:.3f}  {hit['document']} {hit['label']}{hit['title']}{_version_note(hit)}  "
                   f"{hit['text'][:60]}")


def _version_note(ref: dict) -> str:
    """` (2022-04-20 version, in force)` for a citation that names its version."""
    version = ref.get("version") or {}
    if not ref.get("status"):
        return ""
    date = f"{version['date']} version, " if version.get("date") else ""
    return f" ({date}{ref['status'].replace('_', ' ')})"


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
    if "revision" in result and not as_html:
        from policykg.versions.report import RELATION_ZH

        rev = result["revision"]
        counts = "，".join(f"{RELATION_ZH[k]} {n}" for k, n in rev["counts"].items())
        typer.echo(f"\n修订对照（相对 {rev['old']['id']}）：{counts}；全文：policykg diff {rev['old']['id']} {document}")


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="the earlier version: a document id in the store, or a file")],
    new: Annotated[str, typer.Argument(help="the later version: a document id in the store, or a file")],
    as_json: JsonOpt = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="print a Markdown 新旧对照表")] = False,
    as_html: Annotated[bool, typer.Option("--html", help="print a self-contained side-by-side HTML page")] = False,
    store: StoreOpt = None,
) -> None:
    """Map the articles of two versions of a document: unchanged, changed, renumbered, split, merged, added, removed."""
    from policykg.versions import load_version, report
    from policykg.versions.diff import diff_documents

    if sum((as_json, markdown, as_html)) > 1:
        raise InputError("choose one of --json, --markdown, --html")
    result = diff_documents(load_version(old, lambda: _kg(store).store), load_version(new, lambda: _kg(store).store))
    if as_json:
        _print_json(result.to_dict())
    elif as_html:
        typer.echo(report.to_html(result))
    elif markdown:
        typer.echo(report.to_markdown(result))
    else:
        typer.echo(report.to_text(result))


def _known_format(kinds: tuple[str, ...]):
    """A parse-time check of --format, so a format no result has is a usage error before the store opens."""

    def check(value: Optional[str]) -> Optional[str]:
        if value is None:
            return value
        from policykg.kg import formats

        tables = [getattr(formats, kind) for kind in kinds]
        if any(formats.find(kind, value) for kind in tables):
            return value
        known = sorted({n for kind in tables for n in formats.names(kind)})
        raise typer.BadParameter(f"{value!r} is not a format here: use one of {', '.join(known)}")

    return check


@app.command()
def sparql(query: Annotated[str, typer.Argument(help="a SPARQL 1.1 query, or @FILE to read it from a file")],
           fmt: Annotated[Optional[str], typer.Option(
               "--format", help="result format: json (srj), xml (srx), csv, tsv for SELECT/ASK; ttl, nt, nq, jsonld, "
                                "rdfxml, trig for CONSTRUCT/DESCRIBE; or a media type",
               callback=_known_format(("RESULTS", "RDF")))] = None,
           store: StoreOpt = None) -> None:
    """Run a read-only SPARQL 1.1 query on the store."""
    if query.startswith("@"):
        try:
            query = Path(query[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{query[1:]}: cannot read the query file: {exc.strerror}") from None
    from policykg import isolated

    if isolated.embedded(store):  # in a child process: an engine crash becomes one line, not a Rust backtrace
        result = isolated.run(store, query, fmt)
    else:
        result = _kg(store).sparql(query, fmt)
    sys.stdout.buffer.write(result.body)  # the bytes /sparql sends for the same query and format
    if sys.stdout.isatty() and not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", help="RDF format: ttl, nt, nq, jsonld, rdfxml, trig",
                                           callback=_known_format(("RDF",)))] = "ttl",
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
          port: Annotated[int, typer.Option(help="port (1–65535)", min=1, max=65535)] = 8000,
          store: StoreOpt = None) -> None:
    """Serve the HTTP API, the SPARQL endpoint and the web interface."""
    from policykg.api.server import serve as run_server

    kg = _kg(store)
    kg.store.require()  # fail early, with one line, when there is no store
    _check_listen(host, port)
    try:
        run_server(kg, host, port)  # uvicorn with a header read timeout and graceful shutdown
    except SystemExit as exc:  # uvicorn exits 3 when it cannot start (it has logged why)
        if exc.code not in (None, 0):
            raise PolicyKGError(f"the server did not start on {host}:{port} (see the log above)") from None
        raise


def _check_listen(host: str, port: int) -> None:
    """One line for a host that does not resolve or a port in use, before uvicorn logs a failed start."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                                             flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: {exc.strerror}") from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror} (choose another --port or --host)") from None


def _usage_error(exc: typer.TyperException) -> str:
    """A parse error of typer's (vendored) click as one line with a hint."""
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "policykg"
    message = " ".join(exc.format_message().split()).replace(": Value error, ", ": ")
    if type(exc).__name__ == "NoArgsIsHelpError" or message == "Missing command.":
        return f"error: no command given (commands: {', '.join(_command_names())}); try 'policykg --help'"
    hint = f"try '{path} --help'"
    if message.startswith("No such command"):
        hint = f"commands: {', '.join(_command_names())}; {hint}"
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    return f"error: {message.rstrip('.')} ({hint})"


def _command_names() -> list[str]:
    return [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]


def main(args: list[str] | None = None) -> None:
    """Entry point: one line on standard error for any failure, never a traceback.

    Exit status: 0 success; 2 bad input or usage; 1 anything else; 130 Ctrl-C; 143 SIGTERM.
    """
    from policykg import interrupts

    interrupts.install()
    try:
        code = app(args=args, prog_name="policykg", standalone_mode=False)
    except Interrupted as exc:
        _fail(f"error: {exc}", exc.exit_code)
    except KeyboardInterrupt:  # raised before the handler was in place, or by a library
        _fail("error: interrupted (SIGINT)", 130)
    except PolicyKGError as exc:
        _fail(f"error: {exc}", exc.exit_code)
    except typer.Abort:
        _fail("error: aborted", 1)
    except typer.Exit as exc:  # not reached in typer 0.29 (it returns the code); kept for safety
        sys.exit(exc.exit_code)
    except typer.TyperException as exc:  # typer's own click: usage errors (exit 2) and file errors
        code = getattr(exc, "exit_code", 1)
        _fail(_usage_error(exc) if code == 2 else f"error: {' '.join(exc.format_message().split())}", code)
    except Exception as exc:
        if os.environ.get("POLICYKG_DEBUG"):
            raise
        _fail(f"error: {exc.__class__.__name__}: {' '.join(str(exc).split())} "
              "(set POLICYKG_DEBUG=1 for details)", 1)
    if code == 130:  # typer turns a KeyboardInterrupt into exit code 130
        _fail("error: interrupted (SIGINT)", 130)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(line: str, code: int) -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    typer.echo(line, err=True)
    sys.exit(code)


if __name__ == "__main__":
    main()
