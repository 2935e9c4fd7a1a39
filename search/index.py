"""Search indexes: BM25 (bm25s over jieba tokens) and dense vectors, for clauses and sentences.

Built once by `policykg build` (stage `index`) into the store's index folder (`Store.index_dir`); at query time only the
query is embedded. Files:

- `units.json`: the clause keys and the sentences (clause position, text) in index order;
- `bm25-clauses/`, `bm25-sentences/`: bm25s indexes;
- `clauses.npy`, `sentences.npy`: L2-normalised embeddings (float32) of the clauses and sentences that
  have one (`clause-rows.npy`, `sentence-rows.npy` give their rows; a law library's clauses have none),
  memory-mapped when loaded;
- `layperson/`: the learnt layperson ranker over the law-library clauses (search.layperson), if any;
- `info.json`: the model and its dimension.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from policykg.errors import PolicyKGError
from policykg.ingest.model import Clause
from policykg.search.text import tokenize
from policykg.text import sentences

UNITS = "units.json"
INFO = "info.json"
BM25_CLAUSES = "bm25-clauses"
BM25_SENTENCES = "bm25-sentences"
DENSE_CLAUSES = "clauses.npy"
DENSE_SENTENCES = "sentences.npy"
DENSE_CLAUSE_ROWS = "clause-rows.npy"  # the clause rows that have a vector (library clauses have none)
DENSE_SENTENCE_ROWS = "sentence-rows.npy"


def clause_text(clause: Clause) -> str:
    """The text a clause is indexed under: its section title for context, then the clause."""
    head = f"{clause.section_title}。" if clause.section_title else ""
    return f"{head}{clause.text}"


def clause_sentences(clause: Clause) -> list[str]:
    return sentences(clause.text)


def _bm25(token_lists: list[list[str]]):
    import bm25s

    retriever = bm25s.BM25(k1=1.2, b=0.75)
    # an empty document gets one placeholder token so every row exists
    retriever.index([t or ["∅"] for t in token_lists], show_progress=False)
    return retriever


def library_documents(documents: list, max_clauses: int) -> set[str]:
    """Documents of corpus folders with more than `max_clauses` clauses (a law library): they get BM25
    and the layperson ranker, no embeddings. Folder by folder, so a user's policy corpus built beside
    the library keeps its vectors (and its answers) whatever the library's size."""
    per_folder: dict[str, int] = {}
    for doc in documents:
        per_folder[doc.meta.corpus_dir] = per_folder.get(doc.meta.corpus_dir, 0) + len(doc.clauses)
    return {d.id for d in documents if per_folder[d.meta.corpus_dir] > max_clauses}


def build_indexes(folder: Path, documents: list, graph, model: str,
                  progress=lambda message: None, max_dense_clauses: int | None = None,
                  encode=None) -> dict[tuple[str, int], np.ndarray]:
    """Build stage: write the indexes into `folder` (the store's index folder); each embedded clause's vector.

    `max_dense_clauses`: see `library_documents` (None: every clause is embedded). `encode(texts)` may
    stand in for the model (the build passes one that reuses vectors of unchanged documents)."""
    from policykg.search.embed import get_embedder
    from policykg.search.linking import GraphSelect, Linker
    from policykg.search.text import add_words

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    add_words(Linker(GraphSelect(graph, documents)).segment_words())
    library = library_documents(documents, max_dense_clauses) if max_dense_clauses is not None else set()
    clauses = [c for doc in documents for c in doc.clauses]
    keys = [list(c.key) for c in clauses]
    sents: list[tuple[int, str]] = [(i, s) for i, c in enumerate(clauses) for s in clause_sentences(c)]
    progress(f"index: BM25 ({len(clauses)} clauses, {len(sents)} sentences)")
    _bm25([tokenize(clause_text(c)) for c in clauses]).save(str(folder / BM25_CLAUSES), show_progress=False)
    _bm25([tokenize(s) for _, s in sents]).save(str(folder / BM25_SENTENCES), show_progress=False)
    dense_rows = np.asarray([i for i, c in enumerate(clauses) if c.document not in library], dtype=np.int64)
    dense_set = set(dense_rows.tolist())
    dense_sent_rows = np.asarray([j for j, (i, _) in enumerate(sents) if i in dense_set], dtype=np.int64)
    if library:
        from policykg.search.layperson import FOLDER, LaypersonIndex, articles_of

        lib_docs = [d for d in documents if d.id in library]
        progress(f"index: layperson ranker ({sum(len(d.clauses) for d in lib_docs)} clauses)")
        LaypersonIndex.build(articles_of(lib_docs)).save(folder / FOLDER)
    progress(f"index: embeddings ({len(dense_rows)} clauses, {len(dense_sent_rows)} sentences)")
    if encode is None:
        def encode(texts: list[str]) -> np.ndarray:
            return get_embedder(model).encode(texts)
    clause_vecs = encode([clause_text(clauses[i]) for i in dense_rows]) if len(dense_rows) else None
    sent_vecs = encode([sents[j][1] for j in dense_sent_rows]) if len(dense_sent_rows) else None
    dim = int(clause_vecs.shape[1]) if clause_vecs is not None else 1
    clause_vecs = clause_vecs if clause_vecs is not None else np.zeros((0, dim), np.float32)
    sent_vecs = sent_vecs if sent_vecs is not None else np.zeros((0, dim), np.float32)
    np.save(folder / DENSE_CLAUSES, clause_vecs)
    np.save(folder / DENSE_SENTENCES, sent_vecs)
    np.save(folder / DENSE_CLAUSE_ROWS, dense_rows)
    np.save(folder / DENSE_SENTENCE_ROWS, dense_sent_rows)
    (folder / UNITS).write_text(json.dumps({"clauses": keys, "sentences": sents}, ensure_ascii=False),
                                encoding="utf-8")
    (folder / INFO).write_text(json.dumps({"model": model, "dimension": dim, "clauses": len(keys),
                                           "sentences": len(sents), "dense_clauses": len(dense_rows),
                                           "library_documents": sorted(library)}), encoding="utf-8")
    return {clauses[i].key: vec for i, vec in zip(dense_rows.tolist(), clause_vecs)}


@dataclass
class Indexes:
    """The persisted indexes, loaded read-only."""

    keys: list[tuple[str, int]]
    sentence_clause: np.ndarray  # sentence row → clause row
    sentence_text: list[str]
    bm25_clauses: object
    bm25_sentences: object
    clause_vecs: np.ndarray  # rows: clause_rows
    sentence_vecs: np.ndarray  # rows: sentence_rows
    model: str
    clause_rows: np.ndarray
    sentence_rows: np.ndarray
    layperson: object = None  # search.layperson.LaypersonIndex over the library clauses, or None

    @property
    def has_vectors(self) -> bool:
        return len(self.clause_rows) > 0

    def dense_clauses(self, qvec: np.ndarray) -> np.ndarray:
        """Cosine of every clause row with the query (rows without a vector get the lowest score)."""
        return _spread(self.clause_vecs, self.clause_rows, qvec, len(self.keys))

    def dense_sentences(self, qvec: np.ndarray) -> np.ndarray:
        return _spread(self.sentence_vecs, self.sentence_rows, qvec, len(self.sentence_text))

    def layperson_scores(self, question: str) -> np.ndarray | None:
        """The layperson ranker's score per clause row (0 outside the library), None without a library."""
        if self.layperson is None:
            return None
        out = np.zeros(len(self.keys), np.float32)
        scores = self.layperson.scores(question)
        if len(scores):  # shifted to ≥ 0 (its law prior is a log): every library row ranks above the rest
            out[self._layperson_rows] = scores - float(scores.min()) + 1e-6
        return out

    @property
    def library_only(self) -> bool:
        """Whether every clause row is a law-library article (the layperson ranker scores them all)."""
        return self.layperson is not None and len(self.layperson.keys) == len(self.keys)

    @property
    def _layperson_rows(self) -> np.ndarray:
        rows = self.__dict__.get("_lay_rows")
        if rows is None:
            pos = {k: i for i, k in enumerate(self.keys)}
            rows = self.__dict__["_lay_rows"] = np.asarray([pos[k] for k in self.layperson.keys], np.int64)
        return rows

    @classmethod
    def load(cls, folder: Path) -> "Indexes":
        import bm25s

        folder = Path(folder)
        if not (folder / UNITS).is_file():
            raise PolicyKGError(f"the store has no search index at {folder}: rebuild it with `policykg build`")
        units = json.loads((folder / UNITS).read_text(encoding="utf-8"))
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        sents = units["sentences"]
        n_sents = len(sents)
        clause_rows = (np.load(folder / DENSE_CLAUSE_ROWS) if (folder / DENSE_CLAUSE_ROWS).is_file()
                       else np.arange(len(units["clauses"]), dtype=np.int64))
        sentence_rows = (np.load(folder / DENSE_SENTENCE_ROWS) if (folder / DENSE_SENTENCE_ROWS).is_file()
                         else np.arange(n_sents, dtype=np.int64))
        from policykg.search.layperson import FOLDER, LaypersonIndex

        return cls(
            keys=[(d, int(n)) for d, n in units["clauses"]],
            sentence_clause=np.asarray([i for i, _ in sents], dtype=np.int64),
            sentence_text=[s for _, s in sents],
            bm25_clauses=bm25s.BM25.load(str(folder / BM25_CLAUSES), show_progress=False),
            bm25_sentences=bm25s.BM25.load(str(folder / BM25_SENTENCES), show_progress=False),
            clause_vecs=np.load(folder / DENSE_CLAUSES, mmap_mode="r"),
            sentence_vecs=np.load(folder / DENSE_SENTENCES, mmap_mode="r"),
            model=info.get("model", ""),
            clause_rows=clause_rows,
            sentence_rows=sentence_rows,
            layperson=LaypersonIndex.load(folder / FOLDER),
        )


def bm25_scores(retriever, tokens: list[str], size: int) -> np.ndarray:
    """BM25 scores of every row for query tokens (unknown tokens ignored)."""
    vocab = retriever.vocab_dict
    known = [t for t in tokens if t in vocab]
    if not known or size == 0:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)



def _spread(vectors: np.ndarray, rows: np.ndarray, qvec: np.ndarray, size: int) -> np.ndarray:
    if len(rows) == size:
        return np.asarray(vectors @ qvec, dtype=np.float32) if size else np.zeros(0, np.float32)
    sims = np.asarray(vectors @ qvec, dtype=np.float32) if len(rows) else np.zeros(0, np.float32)
    out = np.full(size, float(sims.min()) if len(sims) else 0.0, dtype=np.float32)
    out[rows] = sims
    return out
