"""Search indexes: BM25 (bm25s over jieba tokens) and dense vectors, for clauses and sentences.

Built once by `policykg build` (stage `index`) into the store's index folder (`Store.index_dir`); at query time only the
query is embedded. Files:

- `units.json`: the clause keys and the sentences (clause position, text) in index order;
- `bm25-clauses/`, `bm25-sentences/`: bm25s indexes;
- `clauses.npy`, `sentences.npy`: L2-normalised embeddings (float32), rows in index order;
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


def build_indexes(folder: Path, documents: list, graph, model: str,
                  progress=lambda message: None) -> dict[tuple[str, int], np.ndarray]:
    """Build stage: write the indexes into `folder` (the store's index folder); each clause's embedding."""
    from policykg.search.embed import get_embedder
    from policykg.search.linking import GraphSelect, Linker
    from policykg.search.text import add_words

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    add_words(Linker(GraphSelect(graph, documents)).segment_words())
    clauses = [c for doc in documents for c in doc.clauses]
    keys = [list(c.key) for c in clauses]
    sents: list[tuple[int, str]] = [(i, s) for i, c in enumerate(clauses) for s in clause_sentences(c)]
    progress("index: BM25")
    _bm25([tokenize(clause_text(c)) for c in clauses]).save(str(folder / BM25_CLAUSES), show_progress=False)
    _bm25([tokenize(s) for _, s in sents]).save(str(folder / BM25_SENTENCES), show_progress=False)
    progress("index: embeddings")
    embedder = get_embedder(model)
    clause_vecs = embedder.encode([clause_text(c) for c in clauses]) if clauses else np.zeros((0, 1), np.float32)
    sent_vecs = embedder.encode([s for _, s in sents]) if sents else np.zeros((0, 1), np.float32)
    np.save(folder / DENSE_CLAUSES, clause_vecs)
    np.save(folder / DENSE_SENTENCES, sent_vecs)
    (folder / UNITS).write_text(json.dumps({"clauses": keys, "sentences": sents}, ensure_ascii=False),
                                encoding="utf-8")
    (folder / INFO).write_text(json.dumps({"model": model, "dimension": int(clause_vecs.shape[1]),
                                           "clauses": len(keys), "sentences": len(sents)}), encoding="utf-8")
    return {c.key: vec for c, vec in zip(clauses, clause_vecs)}


@dataclass
class Indexes:
    """The persisted indexes, loaded read-only."""

    keys: list[tuple[str, int]]
    sentence_clause: np.ndarray  # sentence row → clause row
    sentence_text: list[str]
    bm25_clauses: object
    bm25_sentences: object
    clause_vecs: np.ndarray
    sentence_vecs: np.ndarray
    model: str

    @classmethod
    def load(cls, folder: Path) -> "Indexes":
        import bm25s

        folder = Path(folder)
        if not (folder / UNITS).is_file():
            raise PolicyKGError(f"the store has no search index at {folder}: rebuild it with `policykg build`")
        units = json.loads((folder / UNITS).read_text(encoding="utf-8"))
        info = json.loads((folder / INFO).read_text(encoding="utf-8"))
        sents = units["sentences"]
        return cls(
            keys=[(d, int(n)) for d, n in units["clauses"]],
            sentence_clause=np.asarray([i for i, _ in sents], dtype=np.int64),
            sentence_text=[s for _, s in sents],
            bm25_clauses=bm25s.BM25.load(str(folder / BM25_CLAUSES), show_progress=False),
            bm25_sentences=bm25s.BM25.load(str(folder / BM25_SENTENCES), show_progress=False),
            clause_vecs=np.load(folder / DENSE_CLAUSES),
            sentence_vecs=np.load(folder / DENSE_SENTENCES),
            model=info.get("model", ""),
        )


def bm25_scores(retriever, tokens: list[str], size: int) -> np.ndarray:
    """BM25 scores of every row for query tokens (unknown tokens ignored)."""
    vocab = retriever.vocab_dict
    known = [t for t in tokens if t in vocab]
    if not known or size == 0:
        return np.zeros(size, dtype=np.float32)
    return np.asarray(retriever.get_scores(known), dtype=np.float32)

