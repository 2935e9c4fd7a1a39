"""What a SPARQL query is, decided on its tokens before any engine sees it.

A small SPARQL 1.1 lexer (the terminals of the W3C grammar: IRIs, prefixed names, variables,
blank nodes, strings, numbers, comments, keywords, punctuation) reads the query once, in
linear time and without recursion. On its tokens the guard decides:

- the operation: a query form (SELECT, ASK, CONSTRUCT, DESCRIBE) or an update (INSERT, DELETE,
  LOAD, CLEAR, …: refused, the store is read-only);
- SERVICE: the keyword token only — `benefit-type:service`, `?service`, `schema:Service`,
  `<…/service>` and `"service"` are names or text, not the keyword, and pass;
- limits the engine cannot survive: query size, bracket nesting depth, UNION branches and
  operator chains (pyoxigraph 0.5.13 overflows its stack and segfaults at about 3,000 nested
  `{`, 7,000 UNION branches or 10,000 `||` operands).

rdflib's SPARQL parser would give the same answers on the algebra, but costs 3–90 ms per
query (92 ms on the console's benefit example) against ~2 ms for a whole endpoint request,
and is recursive itself; this lexer takes ~0.1 ms for a typical query.
"""
from __future__ import annotations

import re
import signal
from dataclasses import dataclass, field

from policykg.errors import InputError, PolicyKGError

MAX_CHARS = 100_000  # characters of query text
MAX_DEPTH = 100  # nested { ( [
MAX_UNIONS = 1_000  # UNION keywords
MAX_OPERATORS = 2_000  # || && comparisons, arithmetic, path operators

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PLX = rf"(?:%[0-9A-Fa-f]{{2}}|{_ESC})"
_LOCAL_START = rf"(?:[\w:]|{_PLX})"
_LOCAL_MID = rf"(?:[\w\-.:\u00B7]|{_PLX})"
_LOCAL_END = rf"(?:[\w\-:\u00B7]|{_PLX})"
_PREFIX = r"(?:[^\W\d_](?:[\w\-.\u00B7]*[\w\-\u00B7])?)?"
_TOKEN = re.compile(rf"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
               |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<bnode>_:[\w](?:[\w\-.\u00B7]*[\w\-\u00B7])?)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>{_PREFIX}:(?:{_LOCAL_START}(?:{_LOCAL_MID}*{_LOCAL_END})?)?)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>\|\||&&|!=|<=|>=|\^\^|[=<>+\-*/|!^])
  | (?P<open>[{{(\[])
  | (?P<close>[}})\]])
  | (?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass
class QueryShape:
    """What the lexer found in one query text."""

    operation: str = ""  # "select", "ask", "construct", "describe", "update" or "" (none found)
    update_word: str = ""  # the first update keyword, when the operation is an update
    service: bool = False  # a SERVICE keyword
    chars: int = 0
    depth: int = 0  # deepest nesting of { ( [
    unions: int = 0
    operators: int = 0
    order_by: list[str] = field(default_factory=list)  # bare variables sorted on (ORDER BY ?x, ASC(?x))
    limit: int | None = None  # the query's own top-level LIMIT (not a subquery's)
    unbalanced: bool = False


def tokens(sparql: str) -> list[tuple[str, str]]:
    """The query's tokens as (kind, text), white space and comments left out."""
    return [(m.lastgroup or "other", m.group()) for m in _TOKEN.finditer(sparql)
            if m.lastgroup not in ("ws", "comment")]


def inspect(sparql: str) -> QueryShape:
    """The shape of a query text (never raises; size is the caller's concern)."""
    shape = QueryShape(chars=len(sparql))
    toks = tokens(sparql)
    depth = 0
    in_order = False
    for i, (kind, text) in enumerate(toks):
        if kind == "open":
            depth += 1
            shape.depth = max(shape.depth, depth)
        elif kind == "close":
            depth -= 1
            if depth < 0:
                shape.unbalanced, depth = True, 0
            in_order = in_order and text == ")"
        elif kind == "op":
            shape.operators += 1
        elif kind == "word":
            word = text.upper()
            if not shape.operation and word in QUERY_FORMS:
                shape.operation = word.lower()
            elif not shape.operation and word in UPDATE_WORDS:
                shape.operation, shape.update_word = "update", word
            if word == "SERVICE":
                shape.service = True
            elif word == "UNION":
                shape.unions += 1
            elif word == "BY" and i and toks[i - 1][1].upper() == "ORDER":
                in_order = True
            elif word in ("LIMIT", "OFFSET", "VALUES"):
                in_order = False
                if word == "LIMIT" and depth == 0 and i + 1 < len(toks) and toks[i + 1][1].isdigit():
                    shape.limit = int(toks[i + 1][1])
        elif kind == "var" and in_order:
            before = toks[i - 1][1].upper() if i else ""
            wrapped = before == "(" and i > 1 and toks[i - 2][1].upper() in ("ASC", "DESC")
            if before == "BY" or toks[i - 1][0] == "var" or before == ")" or wrapped:
                shape.order_by.append(text[1:])
    shape.unbalanced = shape.unbalanced or depth != 0
    return shape


def check(sparql: str, *, max_chars: int = MAX_CHARS) -> QueryShape:
    """Refuse (InputError, HTTP 400) what a read-only endpoint must not run; return the shape."""
    if not sparql or not sparql.strip():
        raise InputError("empty SPARQL query")
    if len(sparql) > max_chars:
        raise InputError(f"the query is {len(sparql):,} characters long; at most {max_chars:,} are accepted "
                         "(query size limit)")
    shape = inspect(sparql)
    if shape.operation == "update":
        if shape.update_word == "LOAD":
            raise InputError("LOAD is not allowed: the store is read-only and policykg makes no outbound calls")
        raise InputError(f"SPARQL updates ({shape.update_word} …) are not allowed: the store is read-only")
    if shape.service:
        raise InputError("SERVICE (federated query) is not allowed: policykg makes no outbound calls")
    if shape.depth > MAX_DEPTH:
        raise InputError(f"the query nests brackets {shape.depth} deep; at most {MAX_DEPTH} levels of {{ ( [ are "
                         "accepted (nesting limit)")
    if shape.unions > MAX_UNIONS:
        raise InputError(f"the query has {shape.unions:,} UNIONs; at most {MAX_UNIONS:,} are accepted (UNION limit): "
                         "use VALUES for long lists of alternatives")
    if shape.operators > MAX_OPERATORS:
        raise InputError(f"the query has {shape.operators:,} operators; at most {MAX_OPERATORS:,} are accepted "
                         "(operator limit): use VALUES or IN (…) for long lists of alternatives")
    return shape


# -- engine crashes -------------------------------------------------------------------------
class EngineCrash(PolicyKGError):
    """The SPARQL engine crashed on a query; running it again would crash again (HTTP 422)."""

    exit_code = 1
    http_status = 422


ORDER_HINT = ("sort on a string or a typed value instead, e.g. ORDER BY {exprs} (or ORDER BY DATATYPE(?x) STR(?x)), "
              "or filter the values to one kind first (FILTER(isLiteral(?x)))")


def engine_crash(returncode: int, stderr: str, order_by: list[str]) -> EngineCrash:
    """The error for an engine process that died with `returncode` (negative: a signal)."""
    try:
        import pyoxigraph

        engine = f"pyoxigraph {pyoxigraph.__version__}"
    except ImportError:  # pragma: no cover - pyoxigraph is a dependency
        engine = "pyoxigraph"
    if "total order" in stderr or (returncode == -signal.SIGABRT and order_by):
        exprs = " ".join(f"STR(?{v})" for v in order_by) or "STR(?x)"
        return EngineCrash(f"the SPARQL engine ({engine}) crashed on this query: it cannot sort these values with "
                           f"ORDER BY (an engine bug with mixed IRIs, blank nodes and literals); "
                           + ORDER_HINT.format(exprs=exprs))
    if returncode == -signal.SIGSEGV or "stack overflow" in stderr:
        return EngineCrash(f"the SPARQL engine ({engine}) crashed on this query (it ran out of stack): nest it less "
                           f"deeply (at most {MAX_DEPTH} levels) and split long UNION or operator chains")
    what = f"signal {-returncode}" if returncode < 0 else f"exit status {returncode}"
    return EngineCrash(f"the SPARQL engine ({engine}) crashed on this query ({what}); it will crash again: "
                       "rewrite the query (the server log or POLICYKG_DEBUG=1 shows the engine's message)")


__all__ = ["EngineCrash", "engine_crash", "QueryShape", "tokens", "inspect", "check", "MAX_CHARS", "MAX_DEPTH",
           "MAX_UNIONS", "MAX_OPERATORS"]
