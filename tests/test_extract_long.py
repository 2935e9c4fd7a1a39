"""Extraction is linear in the length of a clause: a 100,000-character clause takes seconds."""
from __future__ import annotations

import time

from policykg.extract import annotate_clause
from policykg.extract.vocab import load_vocabulary

# our own wording: entities, amounts, figures, modal words and a blank in every few sentences
UNIT = ("对新认定的C类领军人才，由区人力资源和社会保障局给予每人每年最高10万元的生活补贴；"
        "鼓励各类企业建设高技能人才培养基地，区财政局按照实际投入的30%给予资助。"
        "行业主管部门要会同市总工会做好“嘉定工匠”评选工作，获评者可优先推荐参加市级表彰。"
        "到2027年新建技能大师工作室 家，技能人才占就业人员的比例达到35%以上。\n")


def _clause(n: int) -> str:
    return (UNIT * (n // len(UNIT) + 1))[:n]


def test_a_100k_character_clause_extracts_in_seconds():
    vocab = load_vocabulary()
    annotate_clause("warm", 1, UNIT, vocab)  # load the pipeline outside the timing
    small = _clause(10_000)
    started = time.perf_counter()
    facts_small = annotate_clause("long", 1, small, vocab)
    t_small = time.perf_counter() - started
    text = _clause(100_000)
    started = time.perf_counter()
    facts = annotate_clause("long", 1, text, vocab)
    seconds = time.perf_counter() - started
    assert seconds < 45, f"a 100k-character clause took {seconds:.0f} s"
    # linear, not quadratic: ten times the text costs far less than a hundred times the time
    assert seconds < 30 * max(t_small, 0.2), (t_small, seconds)
    repeats = len(text) // len(UNIT)
    assert len(facts.entities) >= 5 * repeats and len(facts.entities) >= 9 * len(facts_small.entities)
    assert len(facts.obligations) >= 3 * repeats
    assert len(facts.figures) >= 2 * repeats and len(facts.placeholders) >= repeats
    assert all(text[e.start:e.end] for e in facts.entities)
