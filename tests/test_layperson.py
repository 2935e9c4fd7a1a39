"""The layperson ranker (search/layperson.py) and its learnt re-ranker (search/layperson_rerank.py) on two
real laws of the library (民法典, 劳动合同法) with everyday questions of our own; the whole library and the
STARD figures are measured in bench/ and by `policykg eval`, not here."""
from __future__ import annotations

import json
import shutil
import tomllib

import numpy as np
import pytest

from conftest import SHARED

LIBRARY = SHARED / "library"
LAWS = ("law-6e07a7ea", "law-ef955985")  # 民法典, 劳动合同法


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    from policykg.ingest import load_corpora
    from policykg.search.layperson import articles_of

    if not (LIBRARY / "manifest.toml").is_file():
        pytest.fail(f"the law library is missing at {LIBRARY} (set POLICYKG_SHARED)")
    folder = tmp_path_factory.mktemp("laws")
    docs = [d for d in tomllib.loads((LIBRARY / "manifest.toml").read_text(encoding="utf-8"))["document"]
            if d["id"] in LAWS]
    lines = []
    for d in docs:  # copied at run time, never into the repository
        shutil.copy(LIBRARY / d["file"], folder / d["file"])
        lines += ["[[document]]"] + [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in d.items()] + [""]
    (folder / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")
    return articles_of(load_corpora([folder]))


@pytest.fixture(scope="module")
def index(articles):
    from policykg.search.layperson import LaypersonIndex

    return LaypersonIndex.build(articles)


def test_lexicon_bridges_everyday_words():
    from policykg.search.layperson import lexicon_terms

    terms = lexicon_terms("我老公欠钱不还，房东还扣了押金")
    assert {"配偶", "债务", "出租人", "押金"} <= set(terms)
    assert lexicon_terms("") == []


@pytest.mark.parametrize("question, law, number", [
    ("老公家暴，我起诉离婚法院会判离吗", "law-6e07a7ea", 1079),
    ("老板一直不跟我签劳动合同，我能要两倍工资吗", "law-ef955985", 82),
    ("合同签三年的话试用期最长可以多久", "law-ef955985", 19),
    ("借钱给朋友没约定利息，现在能要利息吗", "law-6e07a7ea", 680),
])
def test_everyday_questions_find_the_article(index, question, law, number):
    top = [key for key, _ in index.search(question, 5)]
    assert (law, number) in top, top


def test_reranker_is_shipped_and_reorders_only_the_candidates(index):
    from policykg.search.layperson import learnt
    from policykg.search.layperson_rerank import FEATURES

    model = learnt()["rerank"]
    assert model["features"] == list(FEATURES) and model["trees"]
    question = "公司把我辞退了，没给任何补偿，合法吗"
    first = index.components(question)["first"]
    final = index.scores(question)
    moved = final != first
    assert 50 <= moved.sum() <= 50 + 120  # the first stage's 50 best, plus neighbours' cited articles
    assert final[moved].min() > final[~moved].max()  # the re-ranked rows rank above all others
    assert (final[~moved] == first[~moved]).all()
    off = type(index)(index.keys, index.law_of, index.laws, index.parts, index.prior, index.ch_of,
                      index.tables, index.alen, reranker={})
    assert (off.scores(question) == first).all()


def test_features_and_tree_prediction(index):
    from policykg.search.layperson_rerank import FEATURES, candidates, features, predict

    c = index.components("房东不退押金怎么办")
    cand = candidates(c["first"], 20)
    X = features(index, c, cand)
    assert X.shape == (20, len(FEATURES)) and np.isfinite(X).all()
    assert np.allclose(X[:, FEATURES.index("rank")], np.log1p(np.arange(20)))
    # one stump on `first`, one leaf: values add to the baseline
    tree = {"f": [0, 0, 0], "t": [0.5, 0, 0], "l": [1, 0, 0], "r": [2, 0, 0], "leaf": [0, 1, 1], "v": [0, -1.0, 2.0]}
    model = {"kind": "trees", "baseline": 0.25, "trees": [tree, {"f": [0], "t": [0], "l": [0], "r": [0], "leaf": [1],
                                                               "v": [0.5]}]}
    Z = np.zeros((2, len(FEATURES)), np.float32)
    Z[1, 0] = 0.9
    assert predict(model, Z).tolist() == [-0.25, 2.75]
    lin = {"kind": "linear", "w": [1.0] + [0.0] * (len(FEATURES) - 1), "b": 1.0}
    assert predict(lin, Z).tolist() == pytest.approx([1.0, 1.9])


def test_tables_refit_and_save_round_trip(index, articles, tmp_path):
    from policykg.search.layperson import LaypersonIndex, learnt

    again = index.with_tables(learnt(), articles)
    question = "离婚后孩子的抚养费怎么算"
    assert np.allclose(again.scores(question), index.scores(question))
    index.save(tmp_path / "lay")
    loaded = LaypersonIndex.load(tmp_path / "lay")
    assert np.allclose(loaded.scores(question), index.scores(question))
    (tmp_path / "lay" / "artqlog.npz").unlink()  # a store built before the re-ranker still loads
    assert LaypersonIndex.load(tmp_path / "lay").search(question, 3)


def test_dense_reranker_uses_the_question_embedding_and_falls_back_without_it(index):
    from policykg.search.layperson import learnt, shipped_qvec
    from policykg.search.layperson_rerank import DENSE_FEATURES, pool

    model = learnt()["rerank_dense"]
    assert model["features"] == list(DENSE_FEATURES) and model["model"] == "m3e-small"
    qvec = shipped_qvec()
    assert qvec is not None and qvec.shape[0] == len(learnt()["qa"])
    assert np.allclose(np.linalg.norm(qvec[:20], axis=1), 1.0, atol=1e-2)
    question = "房东不退押金，还说我把房子弄坏了"
    dense = index.scores(question)  # loads m3e-small once
    assert index.dense_error is None and index.encode is not None
    # the pool grows by the articles the embedding's nearest training questions cite
    c = index.components(question)
    c["dsims"] = index.qvec @ index.encode(question)
    assert len(pool(index, c, 50, 20, 0, 20)) >= len(pool(index, c, 50, 20, 0, 0))
    # a question the training set answered with an article of 民法典 (押金 → 租赁) finds it in the top 5
    top = [index.keys[i] for i in np.argsort(-dense)[:5]]
    assert any(d == "law-6e07a7ea" for d, _ in top), top
    lexical = type(index)(index.keys, index.law_of, index.laws, index.parts, index.prior, index.ch_of,
                          index.tables, index.alen)
    assert lexical.qvec is None and (lexical.scores(question) != dense).any()

    def broken(text):
        raise OSError("model folder unreadable")

    failing = type(index)(index.keys, index.law_of, index.laws, index.parts, index.prior, index.ch_of,
                          index.tables, index.alen)
    failing.qvec, failing.encode = index.qvec, broken
    assert np.allclose(failing.scores(question), lexical.scores(question))  # the lexical re-ranker
    assert "model folder unreadable" in failing.dense_error
