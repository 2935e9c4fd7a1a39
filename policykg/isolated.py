"""Run one SPARQL query in a child process, so an engine crash is a one-line error.

pyoxigraph aborts the whole process on some ordinary queries (a Rust panic such as "comparison
function does not correctly implement a total order" on `ORDER BY ?o` over mixed terms, or a
stack overflow); no Python code runs after that. The CLI therefore runs each query on an
embedded store in `python -m policykg.isolated`, which prints the result on its standard
output, and turns the child's death into a message that says what to do
(`policykg.kg.guard.engine_crash`).
A remote store runs queries in its own server, so they run in this process.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

from policykg.errors import InputError, PolicyKGError
from policykg.kg.guard import engine_crash
from policykg.kg.lifeline import PARENT_ENV


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+:")


def embedded(store: str | None) -> bool:
    """Whether the store (an option value, else POLICYKG_STORE) is an embedded Oxigraph folder."""
    from policykg.settings import Settings

    return _SCHEME.match(Settings.from_env(store=store).store) is None


@dataclass
class Result:
    body: bytes
    media_type: str
    kind: str


def run(store: str | None, query: str, fmt: str | None = None, timeout: float | None = None) -> Result:
    """Run `query` on the embedded store in a child process (InputError / EngineCrash on failure)."""
    from policykg.kg.guard import check

    shape = check(query)  # refusals and limits before any engine sees the query
    env = {**os.environ, "RUST_BACKTRACE": "0", PARENT_ENV: str(os.getpid())}
    if store is not None:
        env["POLICYKG_STORE"] = store
    cmd = [sys.executable, "-m", "policykg.isolated"] + ([fmt] if fmt else [])
    try:
        proc = subprocess.run(cmd, input=query.encode("utf-8"), capture_output=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PolicyKGError(f"the query was stopped after {timeout:g} s") from None
    stderr = proc.stderr.decode("utf-8", "replace")
    if proc.returncode == 0:
        head, _, body = proc.stdout.partition(b"\n")
        meta = json.loads(head)
        return Result(body, meta["media_type"], meta["kind"])
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    if proc.returncode in (1, 2) and lines:  # the child's own one-line error
        message = lines[-1][len("error: "):]
        raise (InputError if proc.returncode == 2 else PolicyKGError)(message)
    if os.environ.get("POLICYKG_DEBUG"):
        sys.stderr.write(stderr[-4000:])
    raise engine_crash(proc.returncode, stderr, shape.order_by)


def main() -> None:
    """`python -m policykg.isolated [FORMAT]`: the query on stdin → a JSON head line + the body on stdout."""
    from policykg.app import PolicyKG
    from policykg.kg.lifeline import die_with_parent

    die_with_parent()  # a CLI killed with SIGKILL takes its query with it
    fmt = sys.argv[1] if len(sys.argv) > 1 else None
    query = sys.stdin.buffer.read().decode("utf-8")
    try:
        result = PolicyKG().sparql(query, fmt)
    except PolicyKGError as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(exc.exit_code)
    except Exception as exc:  # anything else the engine raised: still one line
        sys.stderr.write(f"error: the query failed: {exc.__class__.__name__}: {' '.join(str(exc).split())}\n")
        sys.exit(1)
    out = sys.stdout.buffer
    out.write(json.dumps({"media_type": result.media_type, "kind": result.kind}).encode() + b"\n")
    out.write(result.body)
    out.flush()


if __name__ == "__main__":
    main()
