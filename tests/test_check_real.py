"""The drafter's check on real implementing regulations, scored against gold read by hand.

Pairs from ../shared/library (tests/data/check-real/*.json): each finding the check reports must
be judged there (right or wrong, with the reason; an `optional` entry is right if reported and
not required), precision must reach 90 % per pair and pooled, and every conflict a careful
reviewer reports must be found. Pairs marked `held_out` were annotated by reading both texts
before the check was first run on them. The corpus folder is written to a
temporary directory at test time (tests/realpairs.py); no library text enters the repo.
"""
from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import SHARED
from realpairs import corpus_folder, gold_pairs

GOLD = gold_pairs()
PRECISION = 0.9


@pytest.fixture(scope="module")
def real_store(tmp_path_factory, cli):
    folder = corpus_folder(SHARED, tmp_path_factory.mktemp("real") / "corpus", [(g["child"], g["parent"]) for g in GOLD])
    store = folder.parent / "kg"
    # built as a law library is (POLICYKG_DENSE_MAX_CLAUSES below the folder's size): no search
    # vectors of every sentence, only the clause vectors the alignment needs, embedded from the
    # same texts, so the alignments and findings are those of a small corpus, in half the time
    done = cli("build", "--corpus", folder, "--store", store, env={"POLICYKG_DENSE_MAX_CLAUSES": "0"})
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module")
def results(real_store, cli):
    def check(child: str) -> dict:
        done = cli("check", child, "--json", "--store", real_store)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two `check` processes at a time (CI has 2 cores)
        return dict(zip([g["child"] for g in GOLD], pool.map(check, [g["child"] for g in GOLD])))


def key(f: dict) -> tuple:
    return f["kind"], f["clause"], f["parent_clause"]


def judge(gold: dict, findings: list[dict]) -> tuple[Counter, Counter, list]:
    """(right per kind, reported per kind, findings the gold does not judge)."""
    verdict = {key(j): j["right"] for j in gold["findings"]}
    expected = gold["conflicts"] + gold.get("optional", [])
    verdict.update({key(c): True for c in expected if c["parent_clause"] is not None})
    loose = {(c["kind"], c["clause"]) for c in expected if c["parent_clause"] is None}
    right, total, unjudged = Counter(), Counter(), []
    for f in findings:
        total[f["kind"]] += 1
        if key(f) in verdict:
            right[f["kind"]] += verdict[key(f)]
        elif (f["kind"], f["clause"]) in loose:
            right[f["kind"]] += 1
        else:
            unjudged.append(key(f))
    return right, total, unjudged


@pytest.mark.parametrize("gold", GOLD, ids=[g["child"] for g in GOLD])
def test_precision_against_gold(gold, results):
    right, total, unjudged = judge(gold, results[gold["child"]]["findings"])
    assert not unjudged, f"findings the gold does not judge yet (read both texts and add them): {unjudged}"
    n = sum(total.values())
    precision = sum(right.values()) / n if n else 1.0
    assert precision >= PRECISION, {k: f"{right[k]}/{total[k]}" for k in total}


@pytest.mark.parametrize("gold", GOLD, ids=[g["child"] for g in GOLD])
def test_every_annotated_conflict_found(gold, results):
    findings = results[gold["child"]]["findings"]
    for c in gold["conflicts"]:
        hits = [f for f in findings if f["kind"] == c["kind"] and f["clause"] == c["clause"]
                and (c["parent_clause"] is None or f["parent_clause"] == c["parent_clause"])]
        assert hits, c
        f = hits[0]
        assert f["severity"] in ("high", "medium") and f["evidence"]["text"] and f["message"]
        if c["parent_clause"] is not None:
            assert f["evidence"]["parent_text"]


def test_pooled_precision(results):
    right = total = 0
    for g in GOLD:
        r, t, _ = judge(g, results[g["child"]]["findings"])
        right, total = right + sum(r.values()), total + sum(t.values())
    assert total >= 5 and right / total >= PRECISION


def test_held_out_pairs(results):
    """The pairs annotated before the check was run on them: precision and every conflict."""
    held = [g for g in GOLD if g.get("held_out")]
    assert len(held) >= 3
    right = total = 0
    for g in held:
        r, t, _ = judge(g, results[g["child"]]["findings"])
        right, total = right + sum(r.values()), total + sum(t.values())
    assert total and right / total >= PRECISION


def test_scope_is_stated(results):
    for g in GOLD:
        scope = results[g["child"]]["scope"]
        assert scope and scope[0]["parent_document"] == g["parent"] and scope[0]["description"]
