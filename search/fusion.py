"""How retrieval signals combine: each signal is scaled to [0, 1] over the candidates, then a
weighted sum. (NOTES.md: plain fusion of BM25 and m3e-small does not beat BM25 here, so
dense is a light tie-breaker and the entity signal carries the graph's evidence.)"""
from __future__ import annotations

import numpy as np

WEIGHTS: dict[str, float] = {
    "bm25": 1.0,  # BM25 over the whole clause
    "sentence": 0.25,  # best BM25 sentence of the clause
    "dense": 0.15,  # cosine similarity with the query embedding
    "entity": 0.6,  # share of the query's linked concepts and tiers the clause names
    "layperson": 1.5,  # the learnt layperson ranker (search.layperson), law-library clauses only; 6 would match
    # the ranker alone on STARD dev (73.0 top-5 against 71.8) but would also outrank a user's own policy
    # documents in a mixed store, so it stays at 1.5
    "out_of_scope": 0.35,  # factor for clauses of documents outside a place the query names
}


def scale(values: np.ndarray, dense: bool = False) -> np.ndarray:
    """Scale a signal to [0, 1]: BM25 by its maximum; cosine from the median up."""
    if values.size == 0:
        return values
    top = float(values.max())
    if dense:
        floor = float(np.median(values))
        if top - floor <= 1e-6:
            return np.zeros_like(values)
        return np.clip((values - floor) / (top - floor), 0.0, 1.0)
    return values / top if top > 0 else np.zeros_like(values)


def fuse(signals: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    """Weighted sum of the scaled signals."""
    total = None
    for name, values in signals.items():
        part = weights.get(name, 0.0) * scale(np.asarray(values, dtype=np.float32), dense=(name == "dense"))
        total = part if total is None else total + part
    return total if total is not None else np.zeros(0, dtype=np.float32)
