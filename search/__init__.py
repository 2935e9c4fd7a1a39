"""Hybrid retrieval over clauses: BM25 + dense + graph/entity signals, scoped by place.

Pieces (each small, see the modules): `text` (tokens, sentences), `index` (building and loading
the persisted BM25 and vector indexes), `linking` (query → vocabulary concepts, English →
Chinese terms, places), `fusion` (how the signals combine). `Searcher(store, settings).search(q, k)`
is the entry point (`store` a `policykg.kg.store.Store`); question answering uses `Searcher.analyse`
and `Searcher.rank` for the richer per-signal and per-sentence scores.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from policykg.search.fusion import WEIGHTS, fuse
from policykg.search.linking import Linked, Linker, weigh_linked
from policykg.search.text import is_chinese, tier_tokens, tokenize

PARTIAL_SORT = 20000  # clause rows above which Ranking.top sorts only its best candidates
MODES = ("hybrid", "bm25", "dense", "layperson")


@dataclass
class Query:
    """A query after linking: tokens to search with, concepts, tiers and the documents in scope."""

    text: str
    language: str
    linked: Linked
    tokens: list[str]
    dense_text: str
    scope: list[str] = field(default_factory=list)  # document ids the query names (empty: all)
    exclude: frozenset[str] = frozenset()  # documents not to cite (not in force on the day asked about)


@dataclass
class Ranking:
    """Every clause scored for one query (rows in index order) plus per-sentence scores."""

    query: Query
    keys: list[tuple[str, int]]
    score: np.ndarray
    signals: dict[str, np.ndarray]
    sentence_score: np.ndarray

    def top(self, k: int, scoped: bool = False) -> list[tuple[tuple[str, int], float]]:
        if len(self.score) > PARTIAL_SORT and k > 0:  # a large store: sort only the best few hundred first
            m = min(len(self.score), max(10 * k, 200))
            part = np.argpartition(-self.score, m - 1)[:m]
            out = self._take(part[np.lexsort((part, -self.score[part]))], k, scoped)
            if len(out) == k or m == len(self.score):
                return out
        return self._take(np.argsort(-self.score, kind="stable"), k, scoped)

    def _take(self, order: np.ndarray, k: int, scoped: bool) -> list[tuple[tuple[str, int], float]]:
        out = []
        for i in order:
            if self.keys[i][0] in self.query.exclude:
                continue
            if scoped and self.query.scope and self.keys[i][0] not in self.query.scope:
                continue
            out.append((self.keys[i], float(self.score[i])))
            if len(out) == k:
                break
        return out


class Searcher:
    """Loads the store's indexes once (lazily) and answers queries; thread-safe for reading."""

    def __init__(self, store, settings=None) -> None:
        self.store = store
        self.settings = settings or store.settings
        self._lock = threading.Lock()
        self._query_cache: dict[str, np.ndarray] = {}

    @cached_property
    def indexes(self):
        from policykg.search.index import Indexes
        from policykg.search.text import add_words

        add_words(self.linker.segment_words())
        ix = Indexes.load(self.store.index_dir)
        dense = str(self.settings["layperson_dense"]).strip().lower()
        if dense not in ("1", "0", "on", "off", "true", "false", "yes", "no"):
            from policykg.errors import InputError

            raise InputError(f"layperson_dense must be 1 or 0, not {dense!r}")
        if ix.layperson is not None and dense in ("0", "off", "false", "no"):
            ix.layperson.qvec = None  # the lexical re-ranker: no embedding model in this process
        return ix

    @cached_property
    def linker(self) -> Linker:
        return Linker(self.store, corpus_has=lambda term: bool(self.label_rows(term).any()))

    @cached_property
    def embedder(self):
        from policykg.search.embed import get_embedder

        return get_embedder(self.indexes.model or self.settings["model"])

    @cached_property
    def clause_texts(self) -> list[str]:
        return [self.store.clause(d, n).text for d, n in self.indexes.keys]

    @cached_property
    def mentions(self) -> list[set[str]]:
        """Per clause row: the IRIs of entities the graph says it mentions."""
        from policykg.ontology import POL

        rows = self.store.select(f"""
            PREFIX dcterms: <http://purl.org/dc/terms/>
            SELECT ?doc ?n ?e WHERE {{
              ?c <{POL.mentions}> ?e ; <{POL.document}> ?d ; <{POL.number}> ?n .
              ?d dcterms:identifier ?doc . }}""")
        pos = {k: i for i, k in enumerate(self.indexes.keys)}
        out: list[set[str]] = [set() for _ in self.indexes.keys]
        for row in rows:
            i = pos.get((str(row["doc"]), int(row["n"])))
            if i is not None:
                out[i].add(str(row["e"]))
        return out

    @cached_property
    def benefits(self):
        """The graph's benefits (clause → benefit → beneficiary), see search.graph."""
        from policykg.search.graph import load_benefits

        return load_benefits(self.store)

    @cached_property
    def _benefit_rows(self) -> list[tuple[int, set[str]]]:
        pos = {k: i for i, k in enumerate(self.indexes.keys)}
        return [(pos[b.key], b.beneficiaries) for b in self.benefits if b.key in pos]

    def beneficiary_of(self, concept) -> "np.ndarray":
        """Per clause: does it grant a benefit to this concept (or to something narrower)?"""
        hit = np.zeros(len(self.indexes.keys), dtype=bool)
        for row, who in self._benefit_rows:
            if concept.iris & who:
                hit[row] = True
        return hit

    @cached_property
    def clause_tiers(self) -> list[set[str]]:
        return [set(tier_tokens(t)) for t in self.clause_texts]

    @cached_property
    def _joined(self) -> tuple[str, np.ndarray]:
        """Every clause text in one string (rows separated by NUL) and each row's start offset, so a
        label is found in all clauses by one scan in C instead of a Python loop over 64k clauses."""
        texts = self.clause_texts
        starts = np.zeros(len(texts), dtype=np.int64)
        pos = 0
        for i, t in enumerate(texts):
            starts[i] = pos
            pos += len(t) + 1
        return "\0".join(texts), starts

    def _rows_containing(self, labels) -> np.ndarray:
        """Per clause row: does its text contain any of the labels?"""
        import re

        joined, starts = self._joined
        hit = np.zeros(len(starts), dtype=bool)
        for label in labels:
            if not label:
                continue
            found = [m.start() for m in re.finditer(re.escape(label), joined)]
            if found:
                hit[np.searchsorted(starts, np.asarray(found, dtype=np.int64), side="right") - 1] = True
        return hit

    def label_rows(self, label: str) -> np.ndarray:
        """Which clauses hold a term (cached: English questions weigh their candidate terms by it)."""
        cache = self.__dict__.setdefault("_label_cache", {})
        hit = cache.get(label)
        if hit is None:
            hit = self._rows_containing([label])
            with self._lock:
                if len(cache) >= 4096:
                    cache.pop(next(iter(cache)))
                cache[label] = hit
        return hit

    @cached_property
    def _mention_rows(self) -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for i, men in enumerate(self.mentions):
            for iri in men:
                rows.setdefault(iri, []).append(i)
        return {iri: np.asarray(r, dtype=np.int64) for iri, r in rows.items()}

    @cached_property
    def _tier_rows(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i, tiers in enumerate(self.clause_tiers):
            for tier in tiers:
                out.setdefault(tier, np.zeros(len(self.clause_tiers), dtype=bool))[i] = True
        return out

    @cached_property
    def _doc_rows(self) -> tuple[dict[str, int], np.ndarray]:
        ids: dict[str, int] = {}
        return ids, np.asarray([ids.setdefault(d, len(ids)) for d, _ in self.indexes.keys], dtype=np.int64)

    def encode_query(self, text: str) -> np.ndarray:
        """The query's embedding (the only text embedded at query time); the last few are kept."""
        with self._lock:
            vec = self._query_cache.get(text)
        if vec is None:
            vec = self.embedder.encode([text])[0]
            with self._lock:
                if len(self._query_cache) >= 256:
                    self._query_cache.pop(next(iter(self._query_cache)))
                self._query_cache[text] = vec
        return vec

    def warm_up(self) -> None:
        """Load everything a query needs (indexes, vocabularies, the model)."""
        self.indexes, self.linker.concepts, self.mentions, self.clause_tiers, self._benefit_rows
        self._joined, self._mention_rows, self._tier_rows, self._doc_rows
        if self.indexes.has_vectors:
            self.embedder.encode(["预热"])
        if self.indexes.layperson is not None:
            self.indexes.layperson.warm_up()

    # -- queries ---------------------------------------------------------------------------
    def analyse(self, text: str, exclude: frozenset[str] | set[str] = frozenset()) -> Query:
        self.indexes  # jieba learns the vocabulary labels first
        linked = self.linker.link(text)
        language = "zh" if is_chinese(text) else "en"
        if language == "en":  # each English word's Chinese candidates, weighed by the corpus
            linked = weigh_linked(linked, self.label_rows)
        tokens = tokenize(text)
        extra = " ".join(linked.zh_terms)
        if extra:
            tokens += tokenize(extra)
        dense_text = text if language == "zh" or not extra else f"{extra} {text}"
        return Query(text=text, language=language, linked=linked, tokens=tokens, dense_text=dense_text,
                     scope=[d for d in self._scope(linked) if d not in exclude], exclude=frozenset(exclude))

    def _scope(self, linked: Linked) -> list[str]:
        docs = self.store.documents()
        scope: list[str] = []
        for core in linked.places:
            ranked = self.linker.places.get(core, [])
            if ranked:
                best = min(r for r, _ in ranked)
                scope += [d for r, d in ranked if r == best]
        if not scope and linked.levels:
            scope = [d.id for d in docs if d.meta.level in linked.levels]
        return list(dict.fromkeys(scope))

    def rank(self, query: str | Query, mode: str = "hybrid") -> Ranking:
        from policykg.search.index import bm25_scores

        q = query if isinstance(query, Query) else self.analyse(query)
        ix = self.indexes
        n, m = len(ix.keys), len(ix.sentence_text)
        if mode == "bm25":  # the baseline: plain BM25 over the question's own tokens
            base = tokenize(q.text)
            bm = bm25_scores(ix.bm25_clauses, base, n)
            return Ranking(q, ix.keys, bm, {"bm25": bm}, bm25_scores(ix.bm25_sentences, base, m))
        if ix.has_vectors:
            qvec = self.encode_query(q.dense_text if mode == "hybrid" else q.text)
            dense, dense_s = ix.dense_clauses(qvec), ix.dense_sentences(qvec)
        else:  # a law library alone: no vectors, no model to load
            dense, dense_s = np.zeros(n, np.float32), np.zeros(m, np.float32)
        if mode == "dense":
            return Ranking(q, ix.keys, dense, {"dense": dense}, dense_s)
        lay = ix.layperson_scores(q.text)
        if mode == "layperson":  # the learnt ranker alone (zeros outside a law library)
            lay = lay if lay is not None else np.zeros(n, np.float32)
            return Ranking(q, ix.keys, lay, {"layperson": lay}, bm25_scores(ix.bm25_sentences, q.tokens, m))
        signals = {
            "bm25": bm25_scores(ix.bm25_clauses, q.tokens, n),
            "sentence": _max_by(bm25_scores(ix.bm25_sentences, q.tokens, m), ix.sentence_clause, n),
            "dense": dense,
            "entity": self._entity_scores(q),
        }
        weights = WEIGHTS
        if lay is not None:
            signals["layperson"] = lay
            if ix.library_only:  # no policy document of the user's for library articles to crowd out
                weights = {**WEIGHTS, "layperson": WEIGHTS["layperson_library"]}
        score = fuse(signals, weights)
        if q.scope:
            ids, doc_of = self._doc_rows
            inside = np.isin(doc_of, [ids[d] for d in q.scope if d in ids])
            score = np.where(inside, score, score * WEIGHTS["out_of_scope"])
        sent_bm = bm25_scores(ix.bm25_sentences, q.tokens, m)
        sent = fuse({"bm25": sent_bm, "dense": dense_s}, {"bm25": 1.0, "dense": WEIGHTS["dense"]})
        return Ranking(q, ix.keys, score, signals, sent)

    def _entity_scores(self, q: Query) -> np.ndarray:
        """How much of what the query names (concepts, tiers) each clause names, IDF-weighted."""
        n = len(self.indexes.keys)
        groups: list[np.ndarray] = []
        for concept in q.linked.concepts:
            hit = self._rows_containing(concept.zh)
            for iri in concept.iris:
                rows = self._mention_rows.get(iri)
                if rows is not None:
                    hit[rows] = True
            groups.append((hit | self.beneficiary_of(concept)).astype(np.float32))
        for tier in dict.fromkeys(q.linked.tiers):
            groups.append(self._tier_rows.get(tier, np.zeros(n, dtype=bool)).astype(np.float32))
        if not groups or n == 0:
            return np.zeros(n, dtype=np.float32)
        total = np.zeros(n, dtype=np.float32)
        weight_sum = 0.0
        for hit in groups:
            df = float(hit.sum())
            if df == 0:
                continue
            w = float(np.log(1.0 + n / df))
            total += w * hit
            weight_sum += w
        return total / weight_sum if weight_sum else total

    def search(self, query: str, k: int = 5, mode: str = "hybrid",
               exclude: frozenset[str] | set[str] = frozenset()) -> list[tuple[tuple[str, int], float]]:
        """The k best clauses as ((document, number), score), best first, none of the `exclude` documents."""
        return self.rank(self.analyse(query, exclude), mode).top(k)


def _max_by(values: np.ndarray, groups: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros(size, dtype=np.float32)
    if len(values):
        np.maximum.at(out, groups, values)
    return out
