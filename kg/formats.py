"""The one table of result formats: SPARQL results (SELECT/ASK) and RDF (CONSTRUCT/DESCRIBE, export).

Built on pyoxigraph's `QueryResultsFormat` and `RdfFormat` (their media types and file
extensions, `from_media_type` / `from_extension`) plus the short names people type
(json, srj, xml, srx, csv, tsv, ttl, turtle, nt, nq, jsonld, trig, rdf, rdfxml …). The CLI's
`--format`, the endpoint's `format=` parameter and its Accept negotiation all read it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

import pyoxigraph as ox

from policykg.errors import InputError

RESULTS = "results"  # SELECT / ASK
RDF = "rdf"  # CONSTRUCT / DESCRIBE / export

OxFormat = Union[ox.QueryResultsFormat, ox.RdfFormat]


@dataclass(frozen=True)
class Format:
    name: str  # the canonical short name (json, xml, csv, tsv, ttl, nt, nq, trig, jsonld, rdfxml, n3)
    kind: str  # RESULTS or RDF
    ox: OxFormat

    @property
    def media_type(self) -> str:
        media = self.ox.media_type
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        return media

    @property
    def quads(self) -> bool:
        return self.ox in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)


# canonical name → pyoxigraph format, in negotiation order (the first of a kind is its default)
_RESULTS = [("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
            ("csv", ox.QueryResultsFormat.CSV), ("tsv", ox.QueryResultsFormat.TSV)]
_RDF = [("ttl", ox.RdfFormat.TURTLE), ("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdfxml", ox.RdfFormat.RDF_XML), ("trig", ox.RdfFormat.TRIG), ("nq", ox.RdfFormat.N_QUADS),
        ("n3", ox.RdfFormat.N3)]
FORMATS: dict[str, dict[str, Format]] = {
    RESULTS: {name: Format(name, RESULTS, f) for name, f in _RESULTS},
    RDF: {name: Format(name, RDF, f) for name, f in _RDF},
}
# short names beyond the canonical ones and the file extensions pyoxigraph knows
ALIASES: dict[str, dict[str, str]] = {
    RESULTS: {"srj": "json", "srx": "xml", "sparql-json": "json", "sparql-xml": "xml"},
    RDF: {"turtle": "ttl", "ntriples": "nt", "n-triples": "nt", "nquads": "nq", "n-quads": "nq",
          "json-ld": "jsonld", "json": "jsonld", "xml": "rdfxml", "rdf": "rdfxml", "rdf/xml": "rdfxml",
          "owl": "rdfxml"},
}
# media types that pyoxigraph does not map (or maps otherwise), per kind
_MEDIA: dict[str, dict[str, str]] = {
    RESULTS: {"application/json": "json", "application/xml": "xml", "text/xml": "xml"},
    RDF: {"application/x-turtle": "ttl", "text/plain": "nt", "application/json": "jsonld",
          "application/xml": "rdfxml", "text/xml": "rdfxml"},
}


def _by_ox(kind: str, fmt: OxFormat | None) -> Format | None:
    if fmt is None:
        return None
    return next((f for f in FORMATS[kind].values() if f.ox == fmt), None)


def find(kind: str, key: str) -> Format | None:
    """A format of `kind` by short name, file extension or media type (None when none fits)."""
    key = key.strip().lower()
    if not key:
        return None
    table = FORMATS[kind]
    name = ALIASES[kind].get(key, key)
    if name in table:
        return table[name]
    media = key.split(";")[0].strip()
    if media in _MEDIA[kind]:
        return table[_MEDIA[kind][media]]
    oxcls = ox.QueryResultsFormat if kind == RESULTS else ox.RdfFormat
    return _by_ox(kind, oxcls.from_media_type(media)) or _by_ox(kind, oxcls.from_extension(key.lstrip(".")))


def names(kind: str | None = None) -> list[str]:
    """Every name the `format` option takes (for one kind, or both)."""
    kinds = [kind] if kind else [RESULTS, RDF]
    out: list[str] = []
    for k in kinds:
        out += list(FORMATS[k]) + list(ALIASES[k])
    return sorted(dict.fromkeys(out))


def _what(kind: str) -> str:
    return "a SELECT/ASK result" if kind == RESULTS else "a CONSTRUCT/DESCRIBE result"


def by_name(kind: str, fmt: str) -> Format:
    """The format a `--format` / `format=` value names for a result of `kind` (InputError if none)."""
    found = find(kind, fmt)
    if found is None:
        raise InputError(f"format {fmt!r} does not fit {_what(kind)}: use one of {', '.join(names(kind))}")
    return found


class NotAcceptable(InputError):
    """No result format fits the Accept header (HTTP 406)."""

    http_status = 406


def parse_accept(header: str | None) -> list[str]:
    """The media types of an Accept header, best first (q=0 dropped, ties in written order)."""
    if not header or not header.strip():
        return ["*/*"]
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, position, media))
    return [media for _, _, media in sorted(ranked)]


def _offered(kind: str) -> list[tuple[str, Format]]:
    """(media type, format) pairs a result of `kind` can be sent as, in preference order."""
    out = [(f.ox.media_type.split(";")[0], f) for f in FORMATS[kind].values()]
    out += [(media, FORMATS[kind][name]) for media, name in _MEDIA[kind].items()]
    return out


def negotiate(kind: str, fmt: str | None = None, accept: list[str] | str | None = None) -> Format:
    """The format for a result of `kind`: the `format` value if given, else the best of the Accept list."""
    if fmt:
        return by_name(kind, fmt)
    if isinstance(accept, str) or accept is None:
        accept = parse_accept(accept)
    offered = _offered(kind)
    for media in accept or ["*/*"]:
        if media == "*/*":
            return offered[0][1]
        for candidate, f in offered:
            if candidate == media or (media.endswith("/*") and candidate.startswith(media[:-1])):
                return f
    listed = ", ".join(dict.fromkeys(m for m, _ in offered))
    raise NotAcceptable(f"no result format fits the Accept header for {_what(kind)}: accepted are {listed}")


def media_types() -> list[str]:
    """Every media type a result may be sent as (for the OpenAPI description)."""
    return list(dict.fromkeys(f.ox.media_type.split(";")[0] for k in (RESULTS, RDF) for f in FORMATS[k].values()))
