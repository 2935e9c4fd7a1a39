"""Ingest: readers, normalisation and segmentation on the real corpus and on documents of our own."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import DATA, ROOT, SHARED
from policykg.errors import InputError
from policykg.ingest import load_corpora
from policykg.ingest.manifest import read_manifest
from policykg.ingest.normalize import normalize_line, normalize_text
from policykg.ingest.readers import html_to_text, read_text

PAGE_NOISE = re.compile(r"点击数|发布时间|版权所有|Copyright|ICP|网站地图|首页|学习专栏|来源：新华社|function|var |每周一学|当前位置")


@pytest.fixture(scope="module")
def docs(corpus_dirs):
    return {d.id: d for d in load_corpora(corpus_dirs)}


def test_clause_counts(docs):
    assert {k: len(d.clauses) for k, d in docs.items()} == {
        "jiading-draft": 16, "national-2022": 19, "shanghai-2023": 3}


def test_numbers_labels_titles(docs):
    draft = docs["jiading-draft"]
    assert [c.number for c in draft.clauses] == list(range(1, 17))
    c9 = draft.clause(9)
    assert (c9.label, c9.title) == ("（九）", "拓宽高技能人才引进评价通道")
    assert "C类领军人才" in c9.text and c9.text.endswith("享受同等待遇。")
    assert draft.clause(16).label == "（十六）" and draft.clause(16).title == "营造良好氛围"
    assert docs["national-2022"].clause(14).title == "完善职业技能竞赛体系"
    assert docs["shanghai-2023"].clause(2).title == "目标任务"


def test_sections_and_preamble(docs):
    draft = docs["jiading-draft"]
    assert [s.label for s in draft.sections] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert draft.clause(10).section_title == "加大高技能人才激励力度"
    assert draft.preamble.startswith("关于加强新时代嘉定区高技能人才队伍建设的实施意见")
    assert "（一）" not in draft.preamble


def test_editor_artefacts_removed(docs):
    assert all("bookmark" not in c.text and "_GoBack" not in c.text for c in docs["jiading-draft"].clauses)


def test_placeholders_survive_normalisation(docs):
    # a draft's blanks are spaces: normalisation must keep them
    assert "培养平台 家" in docs["jiading-draft"].clause(2).text


def test_national_web_page_has_no_page_text(docs):
    national = docs["national-2022"]
    for clause in national.clauses:
        assert not PAGE_NOISE.search(clause.text), (clause.number, PAGE_NOISE.search(clause.text))
    assert national.clause(19).text.endswith("交流互鉴。")
    assert national.clause(1).text.startswith("指导思想。")
    assert "学习专栏" not in national.preamble and "点击数" not in national.preamble


def test_article_style(tmp_path):
    (doc,) = load_corpora([DATA / "articles"])
    assert len(doc.clauses) == 10
    assert [c.label for c in doc.clauses[:3]] == ["第一条", "第二条", "第三条"]
    assert [s.label for s in doc.sections] == ["第一章", "第二章", "第三章", "第四章"]
    assert doc.clause(3).title == "人才分类" and doc.clause(4).title == ""
    assert doc.clause(6).section_title == "表彰激励"
    assert [i.label for i in doc.clause(10).items] == ["（一）", "（二）"]  # items, not clauses
    assert doc.preamble.startswith("临海市技能人才引育若干措施")


def test_messy_web_page():
    (doc,) = load_corpora([DATA / "webpage"])
    assert [c.label for c in doc.clauses] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    # （三） was run into the same paragraph as （二） on the page
    assert doc.clause(2).text.endswith("分三年发放。") and doc.clause(3).title == "租房补贴"
    assert doc.clause(5).text == "施行日期。本办法自发布之日起施行。"
    everything = doc.preamble + "".join(c.text for c in doc.clauses)
    assert not re.search(r"点击数|版权所有|ICP|上一篇|分享到|首页|热点专题|访问统计|var ", everything)


def test_normalise_fullwidth_and_whitespace():
    assert normalize_line("\u3000\u3000比例达到３０％以上，Ａ类人才") == "比例达到30%以上，A类人才"
    assert normalize_line("(三)租房补贴。") == "（三）租房补贴。"
    assert normalize_line("[bookmark: _GoBack]（十六）营造") == "（十六）营造"
    assert normalize_text("a\r\n\r\n  b\u200b  c  \n") == ["a", "b c"]


def test_gb18030_text(tmp_path):
    folder = tmp_path / "gb"
    folder.mkdir()
    (folder / "doc.txt").write_bytes("测试办法\n第一条 本办法适用于全市。\n第二条 本办法自公布之日起施行。\n".encode("gb18030"))
    (folder / "manifest.toml").write_text('[[document]]\nid = "gb"\ntitle = "测试办法"\nlevel = "other"\nfile = "doc.txt"\n', encoding="utf-8")
    (doc,) = load_corpora([folder])
    assert [c.text for c in doc.clauses] == ["本办法适用于全市。", "本办法自公布之日起施行。"]


def test_docx(tmp_path):
    import docx

    folder = tmp_path / "dx"
    folder.mkdir()
    document = docx.Document()
    for line in ["某区实施意见", "一、总体要求", "（一）指导思想。坚持党管人才。", "（二）目标任务。到2025年新增技能人才1万名。"]:
        document.add_paragraph(line)
    document.save(folder / "doc.docx")
    (folder / "manifest.toml").write_text('[[document]]\nid = "dx"\ntitle = "某区实施意见"\nlevel = "district"\nfile = "doc.docx"\n', encoding="utf-8")
    (doc,) = load_corpora([folder])
    assert [(c.label, c.title) for c in doc.clauses] == [("（一）", "指导思想"), ("（二）", "目标任务")]


def test_html_reader_drops_scripts_and_nav():
    text = html_to_text("<html><body><nav>首页 政策</nav><script>var x='（一）假条款。'</script>"
                        "<div><p>（一）真条款。内容很长，需要足够的中文字符来构成一个段落，以便被识别为正文内容。</p></div>"
                        "<footer>版权所有</footer></body></html>")
    assert "（一）真条款" in text and "假条款" not in text and "首页" not in text and "版权所有" not in text


# -- bad input: one clear line, exit 2, the previous store untouched ------------------------------

def _corpus(tmp_path: Path, manifest: str, files: dict[str, bytes] | None = None) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir(exist_ok=True)
    (folder / "manifest.toml").write_text(manifest, encoding="utf-8")
    for name, data in (files or {"doc.txt": "标题\n（一）内容。\n（二）内容。\n".encode()}).items():
        (folder / name).write_bytes(data)
    return folder


BAD_CASES = {
    "missing-file": ('[[document]]\nid = "x"\ntitle = "t"\nlevel = "other"\nfile = "nope.txt"\n', None, r"field 'file'.*does not exist"),
    "duplicate-id": ('[[document]]\nid = "x"\ntitle = "t"\nlevel = "other"\nfile = "doc.txt"\n' * 2, None, r"field 'id'.*twice"),
    "bad-level": ('[[document]]\nid = "x"\ntitle = "t"\nlevel = "galactic"\nfile = "doc.txt"\n', None, r"field 'level'"),
    "bad-id": ('[[document]]\nid = "X Y"\ntitle = "t"\nlevel = "other"\nfile = "doc.txt"\n', None, r"field 'id'"),
    "bad-toml": ('[[document]\nid = ', None, r"not valid TOML"),
    "bad-encoding": ('[[document]]\nid = "x"\ntitle = "t"\nlevel = "other"\nfile = "doc.txt"\n', {"doc.txt": b"\xff\xfe\x00\x00\x81\x30"}, r"unreadable encoding"),
    "no-clause": ('[[document]]\nid = "x"\ntitle = "t"\nlevel = "other"\nfile = "doc.txt"\n', {"doc.txt": "只有一段没有编号的文字。".encode()}, r"no clause found"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_corpus_is_refused(case, tmp_path):
    manifest, files, pattern = BAD_CASES[case]
    folder = _corpus(tmp_path, manifest, files)
    with pytest.raises(InputError, match=pattern) as info:
        load_corpora([folder])
    assert "\n" not in str(info.value) and str(folder) in str(info.value)


def test_duplicate_id_across_folders(tmp_path, corpus_dirs):
    copy = tmp_path / "again"
    shutil.copytree(ROOT / "corpus", copy)
    with pytest.raises(InputError, match="already defined"):
        load_corpora([ROOT / "corpus", copy])


def test_cli_bad_build_keeps_old_store(tmp_path, cli):
    store = tmp_path / "store"
    ok = cli("build", "--corpus", DATA / "articles", "--store", store)
    assert ok.returncode == 0, ok.stderr
    before = cli("show", "linhai-measures", "6", "--store", store).stdout
    manifest, files, _ = BAD_CASES["missing-file"]
    bad = cli("build", "--corpus", _corpus(tmp_path, manifest, files), "--store", store)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error:") and "Traceback" not in bad.stderr
    assert cli("show", "linhai-measures", "6", "--store", store).stdout == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store.")]  # no temp folder left


def test_cli_errors_are_one_line(tmp_path, cli):
    missing = cli("show", "jiading-draft", "9", "--store", tmp_path / "none")
    assert missing.returncode == 2 and "policykg build" in missing.stderr and missing.stderr.count("\n") == 1
    nodir = cli("build", "--corpus", tmp_path / "nowhere", "--store", tmp_path / "s")
    assert nodir.returncode == 2 and "does not exist" in nodir.stderr
    (tmp_path / "notastore").mkdir()
    (tmp_path / "notastore" / "precious.txt").write_text("keep me")
    refused = cli("build", "--corpus", DATA / "articles", "--store", tmp_path / "notastore")
    assert refused.returncode == 2 and (tmp_path / "notastore" / "precious.txt").exists()


def test_cli_show_and_documents(store_dir, cli):
    out = cli("show", "jiading-draft", "9", "--store", store_dir)
    assert out.returncode == 0
    assert out.stdout.startswith("（九）拓宽高技能人才引进评价通道\n")
    assert "E类新星人才" in out.stdout
    docs = cli("documents", "--store", store_dir).stdout
    assert "jiading-draft" in docs and "national-2022" in docs
    assert cli("show", "jiading-draft", "999", "--store", store_dir).returncode == 2


def test_missing_parent_is_a_warning(tmp_path, cli):
    out = cli("build", "--corpus", ROOT / "corpus", "--store", tmp_path / "s")
    assert out.returncode == 0
    assert "national-2022" in out.stderr and "--corpus" in out.stderr


def test_manifest_of_shared_corpus():
    metas = read_manifest(SHARED / "corpus")
    assert [m.id for m in metas] == ["national-2022", "shanghai-2023"]
    assert read_text(Path(metas[0].file))  # the web page yields text


def test_page_with_everything_in_one_paragraph(tmp_path):
    folder = tmp_path / "flat"
    folder.mkdir()
    body = ("<p>某市实施意见 为贯彻落实有关要求，制定本意见。<strong>一、总体要求</strong>（一）指导思想。坚持党管人才，健全培养机制。"
            "（二）目标任务。到2025年，技能人才占就业人员比例达到30%以上。<strong>二、培养体系</strong>（三）健全体系。"
            "企业要按规定足额提取职工教育经费。</p><p>点击数：12 版权所有</p>")
    (folder / "page.html").write_text(f"<html><body><div class='nav'>首页 | 政策</div>{body}</body></html>", encoding="utf-8")
    (folder / "manifest.toml").write_text('[[document]]\nid = "flat"\ntitle = "某市实施意见"\nlevel = "municipal"\nfile = "page.html"\n', encoding="utf-8")
    (doc,) = load_corpora([folder])
    assert [(c.label, c.title) for c in doc.clauses] == [("（一）", "指导思想"), ("（二）", "目标任务"), ("（三）", "健全体系")]
    assert [s.title for s in doc.sections] == ["总体要求", "培养体系"]
    assert doc.clause(3).text.endswith("职工教育经费。")
