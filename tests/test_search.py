"""Hybrid search: persisted indexes, BM25/dense/entity fusion, English linking, place scope."""
from __future__ import annotations

import json

import numpy as np
import pytest

from policykg.errors import InputError
from policykg.search.index import INFO, UNITS
from policykg.search.linking import Lexicon, place_core
from policykg.search.text import tier_tokens, tokenize
from policykg.text import sentences


def _keys(hits, k=3):
    return [key for key, _ in hits[:k]]


def test_indexes_are_persisted_in_the_store(kg):
    folder = kg.store.index_dir
    units = json.loads((folder / UNITS).read_text(encoding="utf-8"))
    clauses = sum(len(d.clauses) for d in kg.documents())
    assert len(units["clauses"]) == clauses
    assert len(units["sentences"]) > clauses
    vecs = np.load(folder / "clauses.npy")
    assert vecs.shape[0] == clauses
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-3)
    assert json.loads((folder / INFO).read_text())["model"] == kg.settings["model"]
    assert (folder / "bm25-clauses").is_dir() and (folder / "bm25-sentences").is_dir()


def test_search_shape_and_order(kg):
    result = kg.search("C类人才享受什么待遇？", k=4)
    assert result["query"] == "C类人才享受什么待遇？"
    hits = result["hits"]
    assert len(hits) == 4
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert ("jiading-draft", 9) in [(h["document"], h["number"]) for h in hits[:3]]
    assert set(hits[0]) >= {"document", "number", "label", "title", "text", "iri", "score"}


def test_only_the_query_is_embedded_at_query_time(kg):
    searcher = kg.searcher
    searcher.warm_up()
    embedder = searcher.embedder
    calls = []
    original = embedder.encode

    def counting(texts, **kw):
        calls.append(list(texts))
        return original(texts, **kw)

    embedder.encode = counting
    try:
        searcher.search("技能人才评价的新办法有哪些呢", k=5)
    finally:
        embedder.encode = original
    assert calls == [["技能人才评价的新办法有哪些呢"]]


@pytest.mark.parametrize("query, expected", [
    ("What does a C-tier talent receive?", ("jiading-draft", 9)),
    ("Jiading Craftsman award", ("jiading-draft", 10)),
    ("organization department takes the lead", ("jiading-draft", 14)),
    ("living subsidy for Class I talent", ("linhai-measures", 4)),
])
def test_english_queries_link_to_chinese_terms(kg, query, expected):
    assert expected in _keys(kg.searcher.search(query, k=3))


def test_hybrid_beats_or_matches_the_baselines_on_a_keyword_question(kg):
    s = kg.searcher
    q = "嘉定工匠终身成就奖奖励多少钱"
    assert _keys(s.search(q, 1))[0] == ("jiading-draft", 10)
    assert len(s.search(q, 3, mode="bm25")) == 3
    assert len(s.search(q, 3, mode="dense")) == 3


def test_a_named_place_scopes_the_ranking(kg):
    hits = kg.searcher.search("清河区 人才 补贴", k=3)
    assert all(doc == "qinghe-notice" for (doc, _), _ in hits)
    query = kg.searcher.analyse("国家要求技能人才比例")
    assert query.scope == ["national-2022"]


def test_entity_signal_uses_graph_benefits(kg):
    s = kg.searcher
    q = s.analyse("三类人才")
    ranking = s.rank(q)
    entity = dict(zip(ranking.keys, ranking.signals["entity"]))
    assert entity[("linhai-measures", 4)] > 0
    assert entity[("jiading-draft", 1)] == 0


def test_tokens_tiers_and_sentences():
    assert "c类" in tokenize("C类领军人才")
    assert tier_tokens("a Tier C talent") == ["c类"]
    assert tier_tokens("first-tier and Class II") == ["一类", "二类"]
    assert tier_tokens("C-tier") == ["c类"]
    assert sentences("甲。乙；丙！") == ["甲。", "乙；", "丙！"]
    assert place_core("上海市嘉定区") == ["嘉定", "上海"]
    assert Lexicon().lookup("subsidies") == Lexicon().lookup("subsidy")


def test_bad_search_input(kg):
    with pytest.raises(InputError):
        kg.search("   ", k=3)
    with pytest.raises(InputError):
        kg.search("人才", k=0)
