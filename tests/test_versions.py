"""Versions: the article map between two versions (新旧对照表), dates from the texts, validity."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import DATA, SHARED
from policykg.versions.diff import diff_documents
from policykg.versions.events import in_force_from_text, normalise_title, parse_header
from policykg.versions.load import load_file

VERSIONS = DATA / "versions"
LIBRARY = SHARED / "library"


def _map(diff) -> dict[tuple[tuple[int, ...], tuple[int, ...]], str]:
    return {(tuple(c.number for c in p.old), tuple(c.number for c in p.new)): p.relation for p in diff.pairs}


@pytest.fixture(scope="module")
def vocational():
    gold = json.loads((VERSIONS / "vocational-gold.json").read_text(encoding="utf-8"))
    old = load_file(LIBRARY / gold["old"]["file"], gold["old"]["id"])
    new = load_file(LIBRARY / gold["new"]["file"], gold["new"]["id"])
    return gold, old, new


@pytest.mark.slow
def test_vocational_law_article_map_matches_a_careful_reader(vocational):
    gold, old, new = vocational
    got = _map(diff_documents(old, new))
    pairs = gold["pairs"]
    right = [p for p in pairs if got.get((tuple(p["old"]), tuple(p["new"]))) == p["relation"]]
    assert len(pairs) >= 20
    assert len(right) / len(pairs) >= 0.95, [p for p in pairs if p not in right]
    renumbered = [p for p in pairs if p["relation"] == "renumbered"]
    assert len(renumbered) >= 10
    assert sum(p in right for p in renumbered) / len(renumbered) >= 0.95
    # the case the implements-check got wrong: 1996 art. 30 (local education surcharge) is 2022 art. 56
    assert got[((30,), (56,))] == "renumbered"


def test_vocational_law_map_without_the_model_still_maps_renumbered_articles(vocational):
    gold, old, new = vocational
    got = _map(diff_documents(old, new, embed=False))
    renumbered = [p for p in gold["pairs"] if p["relation"] == "renumbered"]
    right = sum(got.get((tuple(p["old"]), tuple(p["new"]))) == "renumbered" for p in renumbered)
    assert right == len(renumbered)


def test_every_relation_kind_on_a_version_pair_of_our_own():
    old = load_file(VERSIONS / "pilot-2020.txt")
    new = load_file(VERSIONS / "pilot-2023.txt")
    diff = diff_documents(old, new, embed=False)
    assert _map(diff) == {
        ((1,), (1,)): "unchanged", ((2,), (2,)): "changed", ((), (3,)): "added", ((3,), (4,)): "renumbered",
        ((4,), (5, 6)): "split", ((5, 6), (7,)): "merged", ((8,), (8,)): "changed", ((7,), ()): "removed",
    }
    changed = next(p for p in diff.pairs if p.relation == "changed")
    assert ("insert", "、实习") in changed.diff and ("insert", "和技能人才") in changed.diff
    renumbered = next(p for p in diff.pairs if p.relation == "renumbered")
    assert not renumbered.text_changed and not renumbered.diff
    assert old.meta.date == "2020-03-01" and new.meta.date == "2023-06-05"


def test_header_lines_and_the_in_force_article():
    events = parse_header(["1996年5月15日 第八届全国人民代表大会常务委员会第十九次会议通过",
                           "2022年4月20日 第十三届全国人民代表大会常务委员会第三十四次会议修订）",
                           "2009年3月16日 施行", "不是日期的行"])
    assert [(e.kind, e.date) for e in events] == [("adopted", "1996-05-15"), ("revised", "2022-04-20"),
                                                   ("in_force", "2009-03-16")]
    assert in_force_from_text("本法自2022年5月1日起施行。") == "2022-05-01"
    assert in_force_from_text("本办法自二〇一九年十月一日起施行。") == "2019-10-01"
    assert in_force_from_text("本法的解释权属于常委会。") == ""
    assert normalise_title("青年人才驿站管理办法（试行）") == normalise_title("青年人才驿站管理办法")
    assert normalise_title("某某条例（2018年修订）") == "某某条例"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policykg", *args], capture_output=True, text=True, timeout=300)


def test_reports_of_a_diff_in_every_format():
    from policykg.versions import report

    diff = diff_documents(load_file(VERSIONS / "pilot-2020.txt"), load_file(VERSIONS / "pilot-2023.txt"), embed=False)
    md = report.to_markdown(diff)
    assert "| 第三条 | 第四条 | 条号变动 |" in md and "**十四**" in md and "~~七~~" in md
    page = report.to_html(diff)
    assert page.startswith("<!DOCTYPE html>") and "<ins>十四</ins>" in page and "<script" not in page
    text = report.to_text(diff)
    assert "第四条" in text and "拆分" in text and "2020-03-01" in text


@pytest.mark.slow
def test_diff_command_on_two_files():
    old, new = str(VERSIONS / "pilot-2020.txt"), str(VERSIONS / "pilot-2023.txt")
    result = _cli("diff", old, new, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["counts"] == {"unchanged": 1, "changed": 2, "added": 1, "renumbered": 1, "split": 1,
                              "merged": 1, "removed": 1}
    assert {"relation", "old", "new", "similarity", "text_changed", "diff"} <= set(data["pairs"][0])
    assert data["old"]["date"] == "2020-03-01" and data["warnings"] == []


def test_diff_command_bad_input_is_one_line_and_exit_2(tmp_path):
    result = _cli("diff", str(tmp_path / "missing.txt"), str(VERSIONS / "pilot-2023.txt"))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "missing.txt" in result.stderr
    result = _cli("diff", str(VERSIONS / "pilot-2020.txt"), str(VERSIONS / "pilot-2023.txt"), "--json", "--html")
    assert result.returncode == 2 and "choose one" in result.stderr
