"""The learnt re-ranker of the layperson ranker (search/layperson.py): features of the first stage's best
candidates for a question, and a small model over them (gradient-boosted trees, stored as plain JSON in
layperson.json's `rerank` and `rerank_dense`; numpy only at query time).

Features of a candidate article (FEATURES, in order): its first-stage score, gap to the best and rank;
each first-stage signal; word BM25 of the question without expansion; the article's question log
(words of training questions citing it) and how often it was cited; the curated lexicon's legal terms
found in it; how much of the question the learnt translation table explains by its words; the share of
the question's words and character bigrams it holds; how many of the candidates share its law and its
section and the rank of its law; its position in the law and its length; the question's length;
the training questions most like this one (character bigrams) that cite it. DENSE_FEATURES adds the
same neighbour features over the sentence-embedding cosines (`rerank_dense`, when the model is there).
The model is trained on training questions whose tables were learnt without them (cross-fitting), so
the question-log features are not flattered (research: /work/research/stard/rerank.py, r2/final2.py).
"""
from __future__ import annotations

from collections import Counter

import numpy as np

FEATURES = (
    "first", "gap", "rank", "word", "bigram", "prior", "route", "chtext", "chqlog", "plain", "artqlog",
    "artc", "lex_hits", "lex_share", "lex_n", "ibm_mean", "ibm_max", "ibm_cover", "cover", "bigram_cover",
    "same_law", "same_section", "law_rank", "position", "length", "qlen", "knn_max", "knn_sum", "knn_rank",
)
# with the question's sentence embedding: the same neighbour features over embedding cosines
DENSE_FEATURES = FEATURES + ("dknn_max", "dknn_sum", "dknn_rank")


def candidates(first: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k best first-stage scores, best first."""
    k = min(k, len(first))
    top = np.argpartition(-first, k - 1)[:k]
    return top[np.argsort(-first[top], kind="stable")]


def pool(idx, c: dict, k: int, n_neighbours: int = 0, n_artq: int = 0, n_dense: int = 0) -> np.ndarray:
    """The re-ranker's candidates: the k best first-stage rows, then the articles cited by the
    `n_neighbours` most similar training questions (character bigrams) and by the `n_dense` most similar
    by sentence embedding (`c["dsims"]`), and the `n_artq` best rows by article question log (rows not
    already in), all ordered by first-stage score."""
    first = c["first"]
    top = candidates(first, k)
    extra: list[int] = []
    dsims = c.get("dsims")
    if n_dense and dsims is not None and idx.neighbours is not None:
        for qi in np.argsort(-dsims)[:n_dense]:
            extra.extend(int(r) for r in idx.neighbours.cites[qi])
    nb = idx.neighbours
    if n_neighbours and nb is not None and nb.M.shape[0]:
        sims = nb.similar(c["grams"])
        for qi in np.argsort(-sims)[:n_neighbours]:
            extra.extend(int(r) for r in nb.cites[qi])
    if n_artq and "artqlog" in idx.parts:
        extra.extend(candidates(idx.parts["artqlog"].score({t: 1.0 for t in c["toks"]}), n_artq).tolist())
    if not extra:
        return top
    rows = np.array(list(dict.fromkeys(top.tolist() + extra)), np.int64)
    return rows[np.argsort(-first[rows], kind="stable")]


def _present(part, terms: list[str], cand: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(candidates × known terms) 0/1 matrix of which candidate rows hold each term of the part's vocabulary."""
    known = [t for t in dict.fromkeys(terms) if t in part.vocab]
    if not known:
        return np.zeros((len(cand), 0), np.float32), known
    sub = part.W[:, [part.vocab[t] for t in known]].tocsr()[cand]
    return (sub.toarray() > 0).astype(np.float32), known


def _idf(part) -> np.ndarray:
    idf = getattr(part, "_idf", None)
    if idf is None:
        n = part.W.shape[0]
        df = np.diff(part.W.tocsc().indptr).astype(np.float64)
        idf = part._idf = np.log(1 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    return idf


def features(idx, c: dict, cand: np.ndarray) -> np.ndarray:
    """(len(cand) × len(FEATURES)) features of the candidate rows for one question's components `c`."""
    from policykg.search.layperson import bigrams

    p = idx.parts
    n = len(cand)
    first = c["first"][cand]
    law, ch = idx.law_of[cand], idx.ch_of[cand]
    toks = list(dict.fromkeys(c["toks"]))
    cols: dict[str, np.ndarray] = {
        "first": first, "gap": first - first.max(), "rank": np.log1p(np.arange(n, dtype=np.float32)),
        "word": c["word"][cand], "bigram": c["bigram"][cand], "prior": idx.prior[law], "route": c["route"][law],
        "chtext": c["chtext"][ch], "chqlog": c["chqlog"][ch],
    }
    # plain word BM25 and coverage of the question's words (idf-weighted)
    pres, known = _present(p["word"], toks, cand)
    if known:
        ids = np.array([p["word"].vocab[t] for t in known])
        w = p["word"].W[:, ids].tocsr()[cand].toarray()
        plain = w.sum(1)
        idf = _idf(p["word"])[ids]
        cover = pres @ idf / max(float(idf.sum()), 1e-9)
    else:
        plain, cover = np.zeros(n), np.zeros(n)
    cols["plain"] = plain / plain.max() if plain.max() > 0 else plain
    cols["cover"] = cover
    aq = p["artqlog"].score({t: 1.0 for t in toks}) if "artqlog" in p else np.zeros(len(idx.keys), np.float32)
    aq = aq[cand]
    cols["artqlog"] = aq / aq.max() if aq.max() > 0 else aq
    cols["artc"] = np.log1p(idx.artc[cand])
    # curated lexicon: a term is in the article when all its character bigrams are
    terms = [t for t in c["lexicon"] if len(t) >= 2]
    grams = sorted({g for t in terms for g in bigrams(t)})
    gp, gknown = _present(p["bigram"], grams, cand)
    gpos = {g: i for i, g in enumerate(gknown)}
    hits = np.zeros(n)
    for t in terms:
        tg = bigrams(t)
        if all(g in gpos for g in tg):
            hits += gp[:, [gpos[g] for g in tg]].min(1)
    cols["lex_hits"], cols["lex_share"], cols["lex_n"] = hits, hits / max(len(terms), 1), np.full(n, len(terms))
    # the translation table: how much of each question word's translation mass the article holds
    qs = [t for t in toks if t in idx.trans]
    targets = sorted({a for t in qs for a in idx.trans[t]})
    tp, tknown = _present(p["word"], targets, cand)
    if qs and tknown:
        tpos = {a: i for i, a in enumerate(tknown)}
        T = np.zeros((len(tknown), len(qs)), np.float32)
        for j, q in enumerate(qs):
            for a, v in idx.trans[q].items():
                if a in tpos:
                    T[tpos[a], j] = v
        mass = np.minimum(tp @ T, 1.0)
        cols["ibm_mean"], cols["ibm_max"], cols["ibm_cover"] = mass.mean(1), mass.max(1), (mass > 0.2).mean(1)
    else:
        cols["ibm_mean"] = cols["ibm_max"] = cols["ibm_cover"] = np.zeros(n)
    qg = list(c["grams"])
    bp, bknown = _present(p["bigram"], qg, cand)
    cols["bigram_cover"] = bp.sum(1) / max(len(qg), 1)
    # agreement among the candidates
    cols["same_law"] = np.array([(law == x).sum() for x in law], np.float32) / n
    cols["same_section"] = np.array([(ch == x).sum() for x in ch], np.float32) / n
    order = list(dict.fromkeys(law.tolist()))
    cols["law_rank"] = np.log1p(np.array([order.index(x) for x in law], np.float32))
    nums = np.array([idx.keys[i][1] for i in cand], np.float32)
    cols["position"] = nums / np.maximum(idx.law_size[law], 1)
    cols["length"] = np.log1p(idx.alen[cand])
    cols["qlen"] = np.full(n, np.log1p(len(c["toks"])))
    # the training questions most like this one, and the articles they cite
    cols["knn_max"], cols["knn_sum"], cols["knn_rank"] = _knn(idx, c["grams"], cand)
    names = FEATURES
    if c.get("dsims") is not None:  # the same over the embedding cosines of the training questions
        cols["dknn_max"], cols["dknn_sum"], cols["dknn_rank"] = _knn_sims(idx, c["dsims"], cand)
        names = DENSE_FEATURES
    return np.column_stack([np.asarray(cols[f], np.float32) for f in names])


class Neighbours:
    """Character-bigram tf-idf vectors of the training questions (`qa` in the tables: [question, [law|number …]])."""

    def __init__(self, qa: list, keys: list[tuple[str, int]]) -> None:
        import scipy.sparse as sp
        from policykg.search.layperson import bigrams

        row = {f"{d}|{n}": i for i, (d, n) in enumerate(keys)}
        self.vocab: dict[str, int] = {}
        r, c, v = [], [], []
        self.cites: list[np.ndarray] = []
        for i, (q, cites) in enumerate(qa):
            for g, k in Counter(bigrams(q)).items():
                r.append(i)
                c.append(self.vocab.setdefault(g, len(self.vocab)))
                v.append(1.0 + np.log(k))
            self.cites.append(np.array([row[x] for x in cites if x in row], np.int64))
        n = len(qa)
        df = np.bincount(np.array(c, np.int64), minlength=len(self.vocab)) if c else np.zeros(0)
        self.idf = np.log((n + 1) / (df + 1)) + 1.0
        M = sp.csr_matrix((np.array(v) * self.idf[c] if c else np.zeros(0), (r, c)), shape=(n, len(self.vocab)))
        norms = np.sqrt(np.asarray(M.multiply(M).sum(1)).ravel()) + 1e-9
        self.M = sp.diags(1.0 / norms) @ M

    def similar(self, grams: dict[str, int]) -> np.ndarray:
        """Cosine of the question with every training question."""
        q = np.zeros(len(self.vocab))
        for g, k in grams.items():
            j = self.vocab.get(g)
            if j is not None:
                q[j] = (1.0 + np.log(k)) * self.idf[j]
        nq = np.linalg.norm(q)
        return self.M @ (q / nq) if nq > 0 else np.zeros(self.M.shape[0])


def _knn(idx, grams: dict[str, int], cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per candidate: best similarity of a training question citing it, sum of the top 10 neighbours'
    similarities that cite it, and the rank of its best neighbour."""
    nb = idx.neighbours
    if nb is None or nb.M.shape[0] == 0:
        n = len(cand)
        return np.zeros(n), np.zeros(n), np.full(n, np.log1p(100.0))
    return _knn_sims(idx, nb.similar(grams), cand)


def _knn_sims(idx, sims: np.ndarray, cand: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The neighbour features of the candidates for given similarities with every training question."""
    n = len(cand)
    nb = idx.neighbours
    pos = {int(r): j for j, r in enumerate(cand)}
    best, tot, rank = np.zeros(n), np.zeros(n), np.full(n, 100.0)
    order = np.argsort(-sims)[:100]
    for rk, qi in enumerate(order):
        for r in nb.cites[qi]:
            j = pos.get(int(r))
            if j is not None:
                best[j] = max(best[j], sims[qi])
                if rk < 10:
                    tot[j] += sims[qi]
                rank[j] = min(rank[j], rk)
    return best, tot, np.log1p(rank)


def predict(model: dict, X: np.ndarray) -> np.ndarray:
    """Scores of the rows of X under the stored model (trees: sum of leaf values; linear: w·x + b)."""
    if model.get("kind") == "linear":
        return X @ np.asarray(model["w"], np.float32) + float(model["b"])
    out = np.full(len(X), float(model["baseline"]), np.float64)
    for tree in model["trees"]:
        feat, thr, left, right, leaf, value = (np.asarray(tree[k]) for k in ("f", "t", "l", "r", "leaf", "v"))
        node = np.zeros(len(X), np.int64)
        for _ in range(64):
            inner = ~leaf[node].astype(bool)
            if not inner.any():
                break
            i = np.nonzero(inner)[0]
            go_left = X[i, feat[node[i]]] <= thr[node[i]]
            node[i] = np.where(go_left, left[node[i]], right[node[i]])
        out += value[node]
    return out


def export_hgb(model) -> dict:
    """A fitted sklearn HistGradientBoostingClassifier (binary) as the JSON form `predict` reads."""
    trees = []
    for (pred,) in model._predictors:
        nd = pred.nodes
        trees.append({"f": nd["feature_idx"].tolist(), "t": [float(x) for x in nd["num_threshold"]],
                      "l": nd["left"].tolist(), "r": nd["right"].tolist(), "leaf": nd["is_leaf"].tolist(),
                      "v": [round(float(x), 6) for x in nd["value"]]})
    return {"kind": "trees", "baseline": float(np.ravel(model._baseline_prediction)[0]), "trees": trees,
            "features": list(FEATURES)}
