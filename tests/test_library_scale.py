"""The law library at scale, on a sample: a library folder builds without embeddings (BM25 and the learnt
layperson ranker), a rebuild reuses every unchanged document, and eval scores a STARD-form file on its
held-out part. The whole library is measured by bench/bench_library.py, not here."""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from conftest import SHARED

LIBRARY = SHARED / "library"
ARTICLE = re.compile(r"(?m)^\s*第[零〇一二三四五六七八九十百千两\d]+条")
LIBRARY_ENV = {"POLICYKG_DENSE_MAX_CLAUSES": "0"}  # a folder of any size is a library: no model needed


def small_laws(n: int) -> list[dict]:
    """The first n laws of the library manifest with 10–40 articles."""
    docs = tomllib.loads((LIBRARY / "manifest.toml").read_text(encoding="utf-8"))["document"]
    out = []
    for d in docs:
        if 10 <= len(ARTICLE.findall((LIBRARY / d["file"]).read_text(encoding="utf-8"))) <= 40:
            out.append(d)
            if len(out) == n:
                break
    return out


def write_corpus(folder: Path, docs: list[dict]) -> Path:
    """A corpus folder with copies of the laws' files (copied at run time, never into the repository)."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for d in docs:
        if not (folder / d["file"]).exists():
            shutil.copy(LIBRARY / d["file"], folder / d["file"])
        lines.append("[[document]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in d.items()]
        lines.append("")
    (folder / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def laws() -> list[dict]:
    if not (LIBRARY / "manifest.toml").is_file():
        pytest.fail(f"the law library is missing at {LIBRARY} (set POLICYKG_SHARED)")
    return small_laws(4)


def build(corpus: Path, store: Path, monkeypatch):
    from policykg.build import build_store
    from policykg.settings import Settings

    monkeypatch.setenv("POLICYKG_DENSE_MAX_CLAUSES", "0")
    return build_store([corpus], Settings.from_env(store=str(store)))


def test_library_builds_without_embeddings_and_rebuilds_incrementally(tmp_path, laws, monkeypatch):
    corpus = write_corpus(tmp_path / "lib", laws[:3])
    store = tmp_path / "store"
    first = build(corpus, store, monkeypatch)
    assert sorted(first.reuse.added) == sorted(d["id"] for d in laws[:3]) and not first.reuse.reused
    from policykg.kg.store import Store
    from policykg.search import Searcher

    index_dir = Store.open(store).index_dir
    info = json.loads((index_dir / "info.json").read_text(encoding="utf-8"))
    assert info["dense_clauses"] == 0 and sorted(info["library_documents"]) == sorted(d["id"] for d in laws[:3])
    assert (index_dir / "layperson" / "meta.json").is_file()

    searcher = Searcher(Store.open(store))
    assert not searcher.indexes.has_vectors and searcher.indexes.layperson is not None
    assert searcher.indexes.library_only  # the layperson ranker weighs more: no policy document to crowd out
    clause = Store.open(store).documents()[0].clauses[2]
    top = searcher.search(clause.text[:40], k=3)  # no model is loaded: no vectors to compare with
    assert top and top[0][0] == clause.key
    assert "embedder" not in searcher.__dict__  # no store vectors; only the layperson ranker embeds the question
    assert searcher.indexes.layperson.qvec is not None  # its embedding re-ranker is on by default
    from policykg.settings import Settings

    off = Searcher(Store.open(store), Settings.from_env(store=str(store), layperson_dense="0"))
    assert off.indexes.layperson.qvec is None and off.search(clause.text[:40], k=3)[0][0] == clause.key
    from policykg.errors import InputError

    with pytest.raises(InputError, match="layperson_dense"):
        Searcher(Store.open(store), Settings.from_env(store=str(store), layperson_dense="maybe")).indexes

    # unchanged: everything reused; one changed document: only it is extracted again
    again = build(corpus, store, monkeypatch)
    assert len(again.reuse.reused) == 3 and not (again.reuse.changed or again.reuse.added or again.reuse.removed)
    changed = corpus / laws[1]["file"]
    text = changed.read_text(encoding="utf-8")
    at = text.index("。", ARTICLE.search(text).end())  # inside the first article
    changed.write_text(text[:at] + "。（本条经修改。）" + text[at + 1:], encoding="utf-8")
    write_corpus(corpus, [laws[0], laws[1], laws[3]])  # laws[2] removed, laws[3] added
    third = build(corpus, store, monkeypatch)
    assert third.reuse.reused == [laws[0]["id"]]
    assert third.reuse.changed == [laws[1]["id"]]
    assert third.reuse.added == [laws[3]["id"]] and third.reuse.removed == [laws[2]["id"]]
    assert sorted(json.loads((Store.open(store).version_dir / "cache.json").read_text())) == sorted(d["id"] for d in (laws[0], laws[1], laws[3]))
    assert any("本条经修改" in c.text for c in Store.open(store).document(laws[1]["id"]).clauses)


def test_eval_scores_a_stard_file_on_its_held_out_part(tmp_path, laws, monkeypatch, cli):
    corpus = write_corpus(tmp_path / "lib", laws[:2])
    store = tmp_path / "store"
    build(corpus, store, monkeypatch)
    from policykg.kg.store import Store

    doc = Store.open(store).document(laws[0]["id"])
    ids = [f"stard-t{i}" for i in range(200)
           if int(hashlib.sha1(f"stard-t{i}".encode()).hexdigest(), 16) % 5 == 0][:3]
    other = next(f"stard-t{i}" for i in range(200) if int(hashlib.sha1(f"stard-t{i}".encode()).hexdigest(), 16) % 5)
    lines = [{"id": i, "question": c.text[:30], "cite": [[doc.id, c.number]], "answer_has": [], "answer_not": []}
             for i, c in zip(ids, doc.clauses)]
    lines.append({"id": other, "question": "不计入的问题", "cite": [[doc.id, 1]], "answer_has": [], "answer_not": []})
    path = tmp_path / "stard-train.jsonl"  # the file with the held-out rule
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    result = cli("eval", path, "--store", store, "--json", env=LIBRARY_ENV)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["cases"] == 3 and "held-out" in data["split"]
    assert set(data["retrieval"]) == {"hybrid", "bm25", "layperson"}  # no vectors: no dense baseline
    assert set(data["retrieval"]["layperson"]) == {"hit@1", "hit@3", "hit@5", "hit@10"}
    assert data["retrieval"]["bm25"]["hit@10"] == 1.0  # the questions quote their articles
    text = cli("eval", path, "--store", store, env=LIBRARY_ENV)
    assert "layperson ranker" in text.stdout and "n/a" in text.stdout


def test_layperson_index_round_trip(tmp_path):
    from policykg.search.layperson import LaypersonIndex, learnt

    arts = [{"doc": "law-a", "number": 1, "title": "测试法", "section": "第一章 总则", "text": "出租人应当返还押金。"},
            {"doc": "law-a", "number": 2, "title": "测试法", "section": "第一章 总则", "text": "承租人应当按时支付租金。"},
            {"doc": "law-b", "number": 1, "title": "另一法", "section": "", "text": "用人单位不得扣押劳动者的居民身份证。"}]
    index = LaypersonIndex.build(arts)
    index.save(tmp_path / "lay")
    loaded = LaypersonIndex.load(tmp_path / "lay")
    assert loaded.keys == [("law-a", 1), ("law-a", 2), ("law-b", 1)]
    assert loaded.search("公司扣押我的身份证", 1)[0][0] == ("law-b", 1)
    assert (loaded.scores("押金不退") == index.scores("押金不退")).all()
    assert "trans" in learnt() and LaypersonIndex.load(tmp_path / "none") is None
