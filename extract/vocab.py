"""The controlled vocabularies (SKOS Turtle) as the extractor reads them.

Every `skos:Concept` typed with an entity class (pol:TalentCategory, pol:Honor, pol:Agency,
pol:Industry, pol:Program) contributes its @zh prefLabel, altLabels and hiddenLabels as names
to look for; the benefit-type scheme contributes the head words of benefits. The vocabulary is
data: a corpus folder may ship its own `vocab/*.ttl` (or `vocab.ttl`) beside its manifest, and
the next build uses it with no code change.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rdflib import RDF, RDFS, Graph
from rdflib.namespace import SKOS

from policykg.errors import InputError
from policykg.ontology import BENEFIT_TYPE_SCHEME, POL, SCHEMES, VOCAB_DIR, scheme_iri

KINDS = tuple(SCHEMES)


@dataclass(frozen=True)
class Term:
    """One name of a concept."""

    label: str
    kind: str  # TalentCategory, Honor, Agency, Industry, Program
    concept: str  # the concept IRI
    tier: bool = False  # a talent tier (A类…, 一类…): a concept with a skos:notation


@dataclass(eq=False)
class Vocabulary:
    terms: dict[str, Term] = field(default_factory=dict)  # name → term
    heads: dict[str, str] = field(default_factory=dict)  # benefit head word → benefit-type notation
    graph: Graph = field(default_factory=Graph)  # the SKOS triples themselves (go into the graph)
    prefs: dict[str, str] = field(default_factory=dict)  # concept IRI → its @zh prefLabel

    def concept_of(self, label: str) -> Term | None:
        return self.terms.get(label)


def vocab_files(extra_dirs: tuple[Path, ...] = ()) -> list[Path]:
    """The project's vocabulary files, then those shipped by corpus folders."""
    files = sorted(VOCAB_DIR.glob("*.ttl"))
    for folder in extra_dirs:
        folder = Path(folder)
        files += sorted((folder / "vocab").glob("*.ttl")) if (folder / "vocab").is_dir() else []
        if (folder / "vocab.ttl").is_file():
            files.append(folder / "vocab.ttl")
    return files


def _zh(values) -> list[str]:
    return [str(v) for v in values if getattr(v, "language", None) in ("zh", None) and str(v).strip()]


@lru_cache(maxsize=8)
def load_vocabulary(extra_dirs: tuple[Path, ...] = ()) -> Vocabulary:
    """Read the SKOS vocabularies; a corpus vocabulary that does not parse is refused (InputError)."""
    graph = Graph()
    for path in vocab_files(extra_dirs):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several types
            raise InputError(f"{path}: not valid Turtle ({' '.join(str(exc).split())[:200]})") from None
    vocab = Vocabulary(graph=graph)
    kinds = {POL[k]: k for k in KINDS}
    for concept in set(graph.subjects(RDF.type, SKOS.Concept)):
        kind = next((kinds[t] for t in graph.objects(concept, RDF.type) if t in kinds), None)
        prefs = _zh(graph.objects(concept, SKOS.prefLabel))
        if prefs:
            vocab.prefs[str(concept)] = prefs[0]
        names = prefs + _zh(graph.objects(concept, SKOS.altLabel)) + _zh(graph.objects(concept, SKOS.hiddenLabel))
        if kind is not None:
            tier = kind == "TalentCategory" and graph.value(concept, SKOS.notation) is not None
            for name in names:
                # a prefLabel wins over another concept's altLabel of the same text
                if name not in vocab.terms or name in prefs:
                    vocab.terms[name] = Term(name, kind, str(concept), tier)
        elif (concept, SKOS.inScheme, scheme_iri(BENEFIT_TYPE_SCHEME)) in graph:
            notation = str(graph.value(concept, SKOS.notation) or "")
            for name in names:
                vocab.heads[name] = notation
    for concept in set(graph.subjects(SKOS.prefLabel, None)):
        if graph.value(concept, RDFS.label) is None:
            for label in graph.objects(concept, SKOS.prefLabel):
                graph.add((concept, RDFS.label, label))
    return vocab


def concept_label(vocab: Vocabulary, iri: str) -> str | None:
    return vocab.prefs.get(iri)


__all__ = ["Term", "Vocabulary", "load_vocabulary", "vocab_files", "concept_label", "KINDS"]
