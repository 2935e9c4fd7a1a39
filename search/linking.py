"""Link a query to the ontology: vocabulary labels (@zh/@en), graph entities, tiers, places.

The English → Chinese bridge has two sources, both data, never Python literals:
- the SKOS vocabularies (`ontology/vocab/*.ttl`, prefLabel/altLabel in @zh and @en) and the
  labels of the graph's entities: a matched English label brings every Chinese label of the
  same concept;
- `lexicon.toml` beside this module: general English policy words (receive, subsidy, ratio…)
  with their Chinese equivalents, and the words that scope a question to a document level.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from policykg.search.text import CJK, tier_tokens

HERE = Path(__file__).resolve().parent
ENTITY_CLASSES = ("TalentCategory", "Honor", "Agency", "Industry", "Program")
_PLACE_SUFFIX = re.compile(r"(特别行政区|自治区|自治州|自治县|新区|省|市|区|县|镇|街道)$")


@dataclass
class Concept:
    """A group of labels naming one thing (a vocabulary concept or a graph entity)."""

    key: str
    zh: set[str] = field(default_factory=set)
    en: set[str] = field(default_factory=set)
    kind: str = ""  # an entity class name when known (Agency, Honor, …)
    iris: set[str] = field(default_factory=set)


@dataclass
class Linked:
    """What a query links to."""

    zh_terms: list[str] = field(default_factory=list)  # Chinese terms to search with (expansion)
    concepts: list[Concept] = field(default_factory=list)  # concepts named in the query
    tiers: list[str] = field(default_factory=list)  # normalised tier tokens (c类, 一类)
    places: list[str] = field(default_factory=list)  # place cores named (嘉定, 上海)
    levels: list[str] = field(default_factory=list)  # document levels the query scopes to
    english: list[tuple[str, str]] = field(default_factory=list)  # (English surface, Chinese label)
    groups: list[list[str]] = field(default_factory=list)  # per English word or label: its Chinese alternatives


def _norm_en(text: str) -> str:
    return " ".join(re.sub(r"[-_/]+", " ", text.lower()).split())


def place_core(region: str) -> list[str]:
    """Names a question may use for a region: `上海市嘉定区` → [`嘉定`, `上海`] (most specific first)."""
    parts = re.findall(r".+?(?:特别行政区|自治区|自治州|自治县|新区|省|市|区|县)|.+$", region or "")
    cores = []
    for part in reversed(parts):
        core = _PLACE_SUFFIX.sub("", part)
        if len(core) >= 2:
            cores.append(core)
    return cores


def legal_terms() -> dict[str, list[str]]:
    """Chinese legal term → its English labels (first: the rendering), from legal.toml."""
    return dict(_legal()["terms"])


def render_words() -> dict[str, str]:
    """Words rendered in English but never used to link a question ([render] of legal-domains.toml:
    `或者` → or, `按照` → according to)."""
    out: dict[str, str] = {}
    for name in LEGAL_FILES:
        path = HERE / name
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            out.update({zh: en.split("|")[0].strip() for zh, en in data.get("render", {}).items()})
    return out


def modal_labels() -> dict[str, str]:
    """Chinese modal word → its English rendering (不得 → must not), from legal.toml."""
    return {zh: labels[0] for zh, labels in _legal()["modality"].items()}


def legal_titles() -> dict[str, str]:
    """Official English titles of laws and regulations (legal.toml [titles]; Chinese title without
    the 中华人民共和国 prefix → English)."""
    return dict(_legal_titles())


@lru_cache(maxsize=1)
def _legal_titles() -> dict[str, str]:
    data = tomllib.loads((HERE / "legal.toml").read_text(encoding="utf-8"))
    return {zh: en.strip() for zh, en in data.get("titles", {}).items()}


LEGAL_FILES = ("legal.toml", "legal-domains.toml")  # the first file's rendering of a term wins


@lru_cache(maxsize=1)
def _legal() -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {"terms": {}, "modality": {}}
    for name in LEGAL_FILES:
        path = HERE / name
        if not path.is_file():
            continue
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for part, table in out.items():
            for zh, en in data.get(part, {}).items():
                labels = [x.strip() for x in en.split("|") if x.strip()]
                table[zh] = list(dict.fromkeys(table.get(zh, []) + labels))
    return out


class Lexicon:
    """The English words file (lexicon.toml)."""

    def __init__(self, path: Path = HERE / "lexicon.toml") -> None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        self.words: dict[str, list[str]] = {_norm_en(k): v for k, v in data.get("en", {}).items()}
        self.levels: dict[str, dict[str, list[str]]] = data.get("levels", {})
        # the legal vocabulary (legal.toml) reversed: English label → Chinese terms, after the
        # general word list's own (every candidate kept: search.english weighs them by the corpus)
        legal: dict[str, list[str]] = {}
        for zh, labels in legal_terms().items():
            for label in labels:
                legal.setdefault(_norm_en(label), []).append(zh)
        for en, zh in legal.items():
            mine = self.words.get(en, [])
            self.words[en] = list(dict.fromkeys(mine + sorted(zh, key=len, reverse=True)))
        self.max_len = max((len(k.split()) for k in self.words), default=1)

    def lookup(self, word: str) -> list[str] | None:
        """The Chinese terms of a word or phrase, for its form as written and its stems (`hiring`
        → hiring, hire), or None."""
        from policykg.search.english import lookup

        return lookup(self.words, word) or None


class Linker:
    """Built once per process from the vocabularies, the lexicon and the store's graph."""

    def __init__(self, store=None, documents=None, corpus_has=None) -> None:
        self.kg = store  # a Store (or anything with documents() and select())
        self._documents = documents
        self.corpus_has = corpus_has  # term → does any clause hold it (English phrases the texts lack split)

    @cached_property
    def lexicon(self) -> Lexicon:
        return Lexicon()

    @cached_property
    def concepts(self) -> list[Concept]:
        concepts: dict[str, Concept] = {}
        _vocab_concepts(concepts)
        if self.kg is not None:
            _graph_concepts(self.kg, concepts)
        unique = {id(c): c for c in concepts.values()}
        return [c for c in unique.values() if c.zh]

    @cached_property
    def _zh_index(self) -> list[tuple[str, Concept]]:
        pairs = [(label, c) for c in self.concepts for label in c.zh if len(label) >= 2]
        return sorted(pairs, key=lambda p: -len(p[0]))

    @cached_property
    def _en_index(self) -> list[tuple[str, Concept]]:
        pairs = [(_norm_en(label), c) for c in self.concepts for label in c.en if len(label) >= 2]
        return sorted(pairs, key=lambda p: -len(p[0]))

    @cached_property
    def places(self) -> dict[str, list[tuple[int, str]]]:
        """Place core → (rank, document id) for documents whose region names it; rank 0 when the
        place is the region itself (`上海` for 上海市), higher for a region inside it (上海市嘉定区)."""
        out: dict[str, list[tuple[int, str]]] = {}
        for doc in self._docs():
            for rank, core in enumerate(place_core(doc.meta.region)):
                out.setdefault(core, []).append((rank, doc.id))
        return {core: sorted(v) for core, v in out.items()}

    @cached_property
    def english_places(self) -> dict[str, str]:
        """English place names learnt from bilingual labels: a concept labelled `嘉定工匠`@zh and
        `Jiading Craftsman`@en teaches `jiading` → `嘉定` (for every place a loaded document's
        region names)."""
        votes: dict[str, set[str]] = {}
        for concept in self.concepts:
            firsts = {en.split()[0] for en in concept.en if len(en.split()) > 1}
            for first in firsts:
                if not (first[:1].isupper() and first.isalpha()):
                    continue
                cores = {c for c in self.places for zh in concept.zh if zh.startswith(c) and len(zh) > len(c)}
                # every concept whose English label starts with the word must start with the place
                votes.setdefault(first.lower(), set()).add(next(iter(cores)) if len(cores) == 1 else "")
        return {word: next(iter(cores)) for word, cores in votes.items() if len(cores) == 1 and "" not in cores}

    def _docs(self):
        if self._documents is not None:
            return self._documents
        return self.kg.documents() if self.kg is not None else []

    def zh_labels(self) -> set[str]:
        return {label for c in self.concepts for label in c.zh}

    def segment_words(self) -> set[str]:
        """Words the segmenter must keep whole: concept labels, regions and their short names."""
        words = self.zh_labels()
        for doc in self._docs():
            if doc.meta.region:
                words.add(doc.meta.region)
            words.update(place_core(doc.meta.region))
        return words

    def link(self, query: str) -> Linked:
        out = Linked(tiers=tier_tokens(query))
        seen: set[int] = set()
        # Chinese labels, longest first, without re-matching inside a longer match
        taken = [False] * len(query)
        for label, concept in self._zh_index:
            start = query.find(label)
            while start >= 0:
                span = range(start, start + len(label))
                if not any(taken[i] for i in span):
                    for i in span:
                        taken[i] = True
                    if id(concept) not in seen:
                        seen.add(id(concept))
                        out.concepts.append(concept)
                start = query.find(label, start + 1)
        # English labels of concepts, then general English words
        text = " " + _norm_en(re.sub(r"[^\w\s-]", " ", query)) + " "
        from policykg.search.english import segment

        held = self.corpus_has
        phrases = [p.surface for p in segment(text.split(), self.lexicon.words, self.lexicon.max_len, held)
                   if " " in p.surface]  # a longer phrase of the legal vocabulary wins (`military service`)
        for label, concept in self._en_index:
            if any(f" {label} " in f" {p} " and len(p) > len(label) for p in phrases):
                continue
            if f" {label} " in text:
                text = text.replace(f" {label} ", " | ")
                if id(concept) not in seen:
                    seen.add(id(concept))
                    out.concepts.append(concept)
                zh = _best_zh(concept)
                out.english.append((label, zh))
                out.zh_terms.extend(sorted(concept.zh, key=len, reverse=True)[:3])
                out.groups.append(sorted(concept.zh, key=len, reverse=True))
        for chunk in text.split("|"):  # phrases first, never across a concept label already matched
            for piece in segment(chunk.split(), self.lexicon.words, self.lexicon.max_len, held):
                zh = piece.candidates
                out.zh_terms.extend(zh)
                out.english.append((piece.surface, zh[0]))
                if any(len(z) >= 2 for z in zh):
                    out.groups.append([z for z in zh if len(z) >= 2])
        # tiers named in English ("C-tier") → the concept whose Chinese label is the tier ("C类")
        for tier in out.tiers:
            label = tier.upper() if tier[0].isascii() else tier
            for concept in self.concepts:
                if (label in concept.zh or f"{label}人才" in concept.zh) and id(concept) not in seen:
                    seen.add(id(concept))
                    out.concepts.append(concept)
        # places and document levels
        lowered = query.lower()
        for core in sorted(self.places, key=len, reverse=True):
            if core in query and not any(core in p for p in out.places):
                out.places.append(core)
        for word in re.findall(r"[a-z]+", lowered):
            core = self.english_places.get(word)
            if core and core not in out.places:
                out.places.append(core)
        for level, cues in self.lexicon.levels.items():
            zh_cues = [c for c in cues.get("zh", []) if c in query]
            en_cues = [c for c in cues.get("en", []) if re.search(rf"\b{re.escape(c)}\b", lowered)]
            if (zh_cues or en_cues) and not out.places:
                out.levels.append(level)
        return out


def weigh_linked(linked: Linked, rows) -> Linked:
    """An English query's candidate terms ordered by the corpus (search.english.weigh; `rows(term)`
    → which clauses hold it): each word's groups best first, its English pair naming the best, and
    the terms to search with the candidates the corpus holds (a few per word)."""
    from policykg.search.english import searched, weigh

    if not linked.groups:
        return linked
    groups = weigh(linked.groups, rows)
    by_old = {id(old): new for old, new in zip(linked.groups, groups)}
    english = []
    for surface, zh in linked.english:
        new = next((by_old[id(g)] for g in linked.groups if zh in g), None)
        english.append((surface, new[0] if new else zh))
    terms = [t for g in groups for t in searched(g, rows)]
    return Linked(zh_terms=list(dict.fromkeys(terms)), concepts=linked.concepts, tiers=linked.tiers,
                  places=linked.places, levels=linked.levels, english=english, groups=groups)


def _best_zh(concept: Concept) -> str:
    return sorted(concept.zh, key=lambda s: (-len(s), s))[0] if concept.zh else ""


def _vocab_concepts(concepts: dict[str, Concept]) -> None:
    from rdflib import Graph
    from rdflib.namespace import RDFS, SKOS

    from policykg.ontology import HERE as ONTOLOGY_DIR

    folder = ONTOLOGY_DIR / "vocab"
    if not folder.is_dir():
        return
    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        try:
            graph.parse(path, format="turtle")
        except Exception:  # a broken vocabulary file must not break search
            continue
    from rdflib import RDF

    members = set(graph.subjects(RDF.type, SKOS.Concept))  # concepts, not their schemes
    for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label):
        for s, o in graph.subject_objects(prop):
            if s in members:
                _add_label(concepts, str(s), o)


def _add_label(concepts: dict[str, Concept], key: str, literal, kind: str = "") -> None:
    text = str(literal).strip()
    if not text:
        return
    concept = concepts.setdefault(key, Concept(key=key))
    concept.iris.add(key)
    if kind:
        concept.kind = kind
    lang = (getattr(literal, "language", None) or "").lower()
    if lang.startswith("zh") or (not lang and CJK.search(text)):
        concept.zh.add(text)
    elif lang.startswith("en") or not lang:
        concept.en.add(text)


def _graph_concepts(kg, concepts: dict[str, Concept]) -> None:
    """Entities of the graph with their labels; an entity that shares a Chinese label with a
    vocabulary concept joins that concept (so its English labels link to it too)."""
    from rdflib import Literal

    from policykg.ontology import POL

    values = " ".join(f"<{getattr(POL, name)}>" for name in ENTITY_CLASSES)
    query = f"""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?e ?type ?label (LANG(?label) AS ?lang) WHERE {{
          VALUES ?type {{ {values} }}
          ?e a ?type .
          ?e rdfs:label|skos:prefLabel|skos:altLabel ?label .
        }}"""
    rows = kg.select(query)
    by_zh = {label: c for c in concepts.values() for label in c.zh}
    for row in rows:
        iri, label, lang = str(row["e"]), str(row["label"]), row.get("lang") or ""
        kind = str(row["type"]).rsplit("#", 1)[-1]
        literal = Literal(label, lang=lang or None)
        target = by_zh.get(label) if (lang or "").startswith("zh") or CJK.search(label) else None
        if target is not None and iri not in concepts:
            concepts[iri] = target
        _add_label(concepts, iri, literal, kind)
        if lang.startswith("zh") or CJK.search(label):
            by_zh.setdefault(label, concepts[iri])


class GraphSelect:
    """`select(sparql)` over an in-memory rdflib graph (the build stage has no store yet)."""

    def __init__(self, graph, documents) -> None:
        self.graph = graph
        self._documents = documents

    def documents(self):
        return self._documents

    def select(self, sparql: str) -> list[dict]:
        if self.graph is None:
            return []
        result = self.graph.query(sparql)
        names = [str(v) for v in result.vars]
        return [{n: (None if row[i] is None else str(row[i])) for i, n in enumerate(names)} for row in result]
