"""Versions: the article map between two versions (新旧对照表), dates from the texts, validity."""
from __future__ import annotations

import json
import shutil
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
                           "2009年3月16日 施行", "不是日期的行",
                           "2023年7月20日 《国务院关于修改和废止部分行政法规的决定》第二次修订）"])
    assert [(e.kind, e.date) for e in events] == [("adopted", "1996-05-15"), ("revised", "2022-04-20"),
                                                   ("in_force", "2009-03-16"), ("revised", "2023-07-20")]
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


# -- manifest fields ----------------------------------------------------------------------------
def _manifest(folder, body: str) -> None:
    (folder / "manifest.toml").write_text(body, encoding="utf-8")


def test_manifest_version_fields_are_read_and_checked(tmp_path):
    from policykg.errors import InputError
    from policykg.ingest.manifest import read_manifest

    (tmp_path / "a.txt").write_text("第一条 甲。\n第二条 乙。\n", encoding="utf-8")
    good = ('[[document]]\nid = "b"\ntitle = "办法"\nlevel = "other"\nfile = "a.txt"\nreplaces = ["a"]\n'
            'adopted = "2020-01-02"\nin_force = "2020-02-01"\nrepealed = "2021-03-04"\nrepealed_by = "c"\n')
    _manifest(tmp_path, good)
    meta = read_manifest(tmp_path)[0]
    assert (meta.replaces, meta.adopted, meta.in_force, meta.repealed, meta.repealed_by) == (
        ["a"], "2020-01-02", "2020-02-01", "2021-03-04", "c")
    for bad, field in ((good.replace('"2020-02-01"', '"2020-02"'), "in_force"),
                       (good.replace('"2020-01-02"', '"2020-13-02"'), "adopted"),
                       (good.replace('["a"]', '["b"]'), "replaces"),
                       (good.replace('["a"]', '["A B"]'), "replaces"),
                       (good + 'supersedes = ["a"]\n', "supersedes")):
        _manifest(tmp_path, bad)
        with pytest.raises(InputError, match=f"field '{field}'"):
            read_manifest(tmp_path)


def test_chains_from_titles_and_header_lines_and_validity_on_a_date(vocational):
    from policykg.versions.chain import VersionIndex

    _, old, new = vocational
    draft = load_file(VERSIONS / "pilot-2020.txt", "pilot-2020")
    final = load_file(VERSIONS / "pilot-2023.txt", "pilot-2023")
    index = VersionIndex([new, old, draft, final])
    assert index.chain(new.id) == [old.id, new.id]
    assert index.versions[old.id].in_force == "1996-09-01" and index.versions[new.id].in_force == "2022-05-01"
    assert index.valid_until(old.id) == "2022-05-01"
    assert index.status(old.id) == "superseded" and index.status(new.id) == "in_force"
    assert index.status(old.id, "2000-01-01") == "in_force" and index.status(new.id, "2000-01-01") == "not_yet_in_force"
    # adopted on 2022-04-20 but in force only from 2022-05-01: the old text still applies in between
    assert index.excluded("2022-04-25") == {new.id, final.id}
    # （试行） 2020 → 2023: linked by title, in force from the dates of their own last articles
    assert index.chain("pilot-2023") == ["pilot-2020", "pilot-2023"]
    assert index.describe("pilot-2020", "2023-06-30")["status"] == "in_force"
    assert index.describe("pilot-2020", "2023-07-01")["status"] == "superseded"


# -- a store with two versions of the vocational education law (and our own pilot texts) ------
@pytest.fixture(scope="module")
def versions_kg(tmp_path_factory):
    """A store built from a corpus folder whose manifest names the library's two texts of the law."""
    from policykg.app import PolicyKG
    from policykg.ingest import manifest

    folder = tmp_path_factory.mktemp("versions-corpus")
    try:
        from policykg.ingest.readers import suffixes
        known = suffixes()
    except ImportError:
        known = manifest.SUFFIXES
    suffix = ".md" if ".md" in known else ".txt"  # until ingest reads .md itself
    entries = []
    for doc_id in ("law-18a21504", "law-fa08b407"):
        shutil.copyfile(LIBRARY / f"{doc_id}.md", folder / f"{doc_id}{suffix}")  # ingest refuses links out of a corpus
        entries.append(f'[[document]]\nid = "{doc_id}"\ntitle = "中华人民共和国职业教育法"\nlevel = "national"\n'
                       f'region = "全国"\nfile = "{doc_id}{suffix}"\n')
    for name in ("pilot-2020", "pilot-2023", "pilot-2023-draft"):
        shutil.copyfile(VERSIONS / f"{name}.txt", folder / f"{name}.txt")
    entries.append('[[document]]\nid = "pilot-2020"\ntitle = "示范区青年人才驿站管理办法（试行）"\nlevel = "district"\n'
                   'file = "pilot-2020.txt"\n')
    entries.append('[[document]]\nid = "pilot-2023"\ntitle = "示范区青年人才驿站管理办法"\nlevel = "district"\n'
                   'file = "pilot-2023.txt"\nreplaces = ["pilot-2020"]\nin_force = "2023-07-01"\n')
    entries.append('[[document]]\nid = "pilot-2023-draft"\ntitle = "示范区青年人才驿站管理办法（修订草案征求意见稿）"\n'
                   'level = "district"\nstatus = "draft"\ndate = "2023-04-10"\nfile = "pilot-2023-draft.txt"\n')
    _manifest(folder, "\n".join(entries))
    kg = PolicyKG(store=str(tmp_path_factory.mktemp("versions-store")))
    kg.build([folder])
    return kg


@pytest.mark.slow
def test_ask_cites_the_text_in_force_and_the_1996_text_as_of_2000(versions_kg):
    question = "职业教育法规定公民有什么权利？"
    now = versions_kg.ask(question)
    assert now["citations"][0]["document"] == "law-fa08b407"
    assert now["citations"][0]["status"] == "in_force"
    assert now["citations"][0]["version"]["date"] == "2022-04-20"
    assert "law-18a21504" not in {c["document"] for c in now["citations"]}  # never cited as current
    then = versions_kg.ask(question, as_of="2000-01-01")
    assert then["citations"][0]["document"] == "law-18a21504"
    assert then["citations"][0]["status"] == "in_force"
    assert then["citations"][0]["version"] == {"date": "1996-05-15", "in_force": "1996-09-01", "until": "2022-05-01",
                                               "replaces": [], "replaced_by": ["law-fa08b407"]}
    assert "law-fa08b407" not in {c["document"] for c in then["citations"]}
    hits = versions_kg.search("地方教育附加用于职业教育", k=5, as_of="2010-06-01")["hits"]
    assert hits and all(h["document"] == "law-18a21504" for h in hits if h["document"].startswith("law-"))


@pytest.mark.slow
def test_as_of_on_the_command_line_and_the_api(versions_kg):
    from fastapi.testclient import TestClient

    from policykg.api import create_app

    store = versions_kg.settings.store
    result = _cli("ask", "职业教育法规定公民有什么权利？", "--as-of", "2000-01-01", "--store", store)
    assert result.returncode == 0, result.stderr
    assert "law-18a21504" in result.stdout and "1996-05-15 version, in force" in result.stdout
    bad = _cli("ask", "职业教育法规定公民有什么权利？", "--as-of", "2000-02-30", "--store", store)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    client = TestClient(create_app(versions_kg))
    got = client.get("/api/ask", params={"q": "职业教育法规定公民有什么权利？", "as_of": "2000-01-01"}).json()
    assert got["citations"][0]["document"] == "law-18a21504" and got["citations"][0]["version"]["date"] == "1996-05-15"
    got = client.get("/api/search", params={"q": "公民 接受职业教育 权利", "k": 3}).json()
    assert got["hits"][0]["document"] == "law-fa08b407" and got["hits"][0]["status"] == "in_force"
    for bad_day in ("2000-1-1", "2000-02-30"):
        response = client.get("/api/search", params={"q": "权利", "as_of": bad_day})
        assert 400 <= response.status_code < 500 and "error" in response.json()


@pytest.mark.slow
def test_the_graph_holds_the_version_chain(versions_kg):
    from policykg.ontology import HERE

    rows = versions_kg.select((HERE / "queries" / "version-chain.rq").read_text(encoding="utf-8"))
    law = [r for r in rows if str(r["doc"]).startswith("law-")]
    assert [str(r["doc"]) for r in law] == ["law-18a21504", "law-fa08b407"]
    assert [str(r["date"]) for r in law] == ["1996-05-15", "2022-04-20"]
    assert str(law[0]["inForceUntil"]) == "2022-05-01" and str(law[0]["replacedBy"]) == "law-fa08b407"
    assert str(law[1]["replaces"]) == "law-18a21504" and str(law[1]["inForce"]).endswith("InForce-inForce")
    assert str(law[0]["inForce"]).endswith("InForce-notInForce")
    pilot = [(str(r["chain"]), str(r["doc"])) for r in rows if str(r["doc"]).startswith("pilot-")]
    assert pilot == [("pilot-2020", "pilot-2020"), ("pilot-2020", "pilot-2023")]
    assert {str(r["chain"]) for r in law} == {"law-18a21504"}
    drafts = versions_kg.select("""PREFIX pol: <https://w3id.org/policykg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?draft ?final WHERE { ?d pol:draftOf ?f . ?d dcterms:identifier ?draft . ?f dcterms:identifier ?final }""")
    assert [(str(r["draft"]), str(r["final"])) for r in drafts] == [("pilot-2023-draft", "pilot-2023")]


@pytest.mark.slow
def test_a_draft_checked_shows_what_the_revision_changes(versions_kg):
    result = versions_kg.check("pilot-2023-draft")
    revision = result["revision"]
    assert revision["old"]["id"] == "pilot-2020" and revision["new"]["id"] == "pilot-2023-draft"
    relations = {(tuple(c["number"] for c in p["old"]), tuple(c["number"] for c in p["new"])): p["relation"]
                 for p in revision["pairs"]}
    assert relations[((1,), (1,))] == "unchanged" and relations[((5, 6), (5,))] == "merged"
    changed = next(p for p in revision["pairs"] if p["relation"] == "changed" and p["old"][0]["number"] == 4)
    assert {"op": "insert", "text": "十"} in changed["diff"] and {"op": "delete", "text": "七"} in changed["diff"]
    assert "revision" in versions_kg.check("pilot-2023") and "revision" not in versions_kg.check("pilot-2020")


@pytest.mark.slow
def test_diff_of_two_documents_of_a_store(versions_kg):
    from policykg.errors import InputError, NotFound
    from policykg.versions import load_version

    old = load_version("law-18a21504", lambda: versions_kg)
    new = load_version("law-fa08b407", lambda: versions_kg)
    assert _map(diff_documents(old, new, embed=False))[((30,), (56,))] == "renumbered"
    with pytest.raises(NotFound):
        load_version("law-nosuch", lambda: versions_kg)
    with pytest.raises(InputError):
        load_version("no/such/file.md", lambda: versions_kg)
