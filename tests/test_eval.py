"""The eval: scoring a question file, the baselines, bad files."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.errors import InputError
from policykg.qa.evaluate import evaluate_file, format_report, judge

ROOT = Path(__file__).resolve().parent.parent


def test_dev_set_passes_with_baselines(kg, corpus_dirs):
    dev = corpus_dirs[1].parent / "eval" / "qa-dev.jsonl"
    result = evaluate_file(kg.searcher, dev)
    assert result["passed"] == result["cases"] == 20, format_report(result)
    assert result["hit@3"] == 1.0
    assert set(result["retrieval"]) == {"hybrid", "bm25", "dense"}
    assert result["retrieval"]["hybrid"]["hit@3"] >= result["retrieval"]["bm25"]["hit@3"]
    report = format_report(result)
    assert "20/20" in report and "BM25 only" in report and "dense only" in report


def test_held_out_questions_pass(kg):
    result = evaluate_file(kg.searcher, ROOT / "tests" / "data" / "qa-extra.jsonl")
    assert result["passed"] == result["cases"], format_report(result)


def test_judge_rules():
    result = {"answer": "最高10万元奖励", "abstained": False,
              "citations": [{"document": "a", "number": 1}, {"document": "a", "number": 2}]}
    assert judge({"cite": [["a", 2]], "answer_has": [["10万元", "100,000"]], "answer_not": []}, result) == []
    assert judge({"cite": [["a", 9]], "answer_has": [], "answer_not": []}, result)
    assert judge({"cite": [], "answer_has": [["20万"]], "answer_not": []}, result)
    assert judge({"cite": [], "answer_has": [], "answer_not": [r"\d+万元"]}, result)
    assert judge({"cite": [], "answer_has": [], "answer_not": [], "abstain": True}, result)


def test_bad_question_files(kg, tmp_path):
    with pytest.raises(InputError, match="no such"):
        evaluate_file(kg.searcher, tmp_path / "missing.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "x", "cite": []}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputError, match=":2:"):
        evaluate_file(kg.searcher, bad)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError):
        evaluate_file(kg.searcher, empty)


def test_cli_eval(cli, store_dir, corpus_dirs, tmp_path):
    dev = corpus_dirs[1].parent / "eval" / "qa-dev.jsonl"
    out = cli("eval", dev, "--store", store_dir)
    assert out.returncode == 0, out.stderr
    assert "20/20 passed" in out.stdout and "BM25 only" in out.stdout
    missing = cli("eval", tmp_path / "nope.jsonl", "--store", store_dir)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_documents_written_apart_from_the_tuning(tmp_path, corpus_dirs):
    """Two documents (a 第N条 measure and a web page) and their questions that the QA weights were
    never set on: a regression check of generality, not a target (u13 asks 安家补贴 of a text
    that only says 购房补贴, and abstains)."""
    from policykg.app import PolicyKG

    unseen = ROOT / "tests" / "data" / "unseen"
    kg = PolicyKG(store=str(tmp_path / "kg"))
    kg.build(corpus_dirs + [unseen / "donggang", unseen / "nanhu"])
    result = evaluate_file(kg.searcher, ROOT / "tests" / "data" / "qa-unseen.jsonl")
    assert result["passed"] >= 15 and result["hit@3"] == 1.0, format_report(result)
