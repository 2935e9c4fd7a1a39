"""Reports of a check result: plain text, Markdown, and a self-contained side-by-side HTML page.

The HTML page has one row per clause of the checked document: the clause, its best aligned
parent clause (character differences highlighted with difflib: words only in the draft in
green, words only in the parent struck through in red), and the findings on that clause
beside them. Parent clauses nothing aligns with follow at the end. Inline CSS, no scripts,
no external assets; every text is escaped, in the Markdown report too (HTML special characters
as entities, Markdown punctuation with a backslash). Finding kinds are rendered from their
registration in check/kinds.py.
"""
from __future__ import annotations

import difflib
import html
import re
from collections import Counter
from typing import Any

from . import kinds


def _kind(name: str) -> str:
    """A finding kind's Chinese label, from the registry (check/kinds.py)."""
    return kinds.get(name).zh


def _sev(severity: str) -> str:
    return kinds.severity_label(severity)


def _docs(kg, result: dict[str, Any]):
    doc = kg.document(result["document"])
    parents = {p: kg.document(p) for p in result["parents"]}
    return doc, parents


def _best(result: dict[str, Any], number: int) -> list[dict]:
    """Accepted alignments of a clause across parents, best first (all parents)."""
    rows = [a for a in result["alignments"] if a["clause"] == number and a.get("accepted", True)]
    return sorted(rows, key=lambda a: -a["score"])


def _summary(result: dict[str, Any]) -> str:
    counts = Counter(f["kind"] for f in result["findings"])
    if not counts:
        return "未发现问题"
    return "，".join(f"{_kind(k)} {n} 处" for k, n in counts.most_common())


def _md_summary(result: dict[str, Any]) -> str:
    return _md(_summary(result))


def _clause_name(doc, number: int | None) -> str:
    if number is None:
        return ""
    c = doc.clause(number)
    return f"{c.label}{c.title}" if c else str(number)


# -- plain text ------------------------------------------------------------------------------
def to_text(kg, result: dict[str, Any]) -> str:
    doc, parents = _docs(kg, result)
    lines = [f"一致性检查：{doc.meta.title}（{doc.id}）",
             f"上级文件：{'；'.join(f'《{parents[p].meta.title}》（{p}）' for p in parents) or '无'}",
             f"结果：{_summary(result)}"]
    lines += [f"注意：{w}" for w in result.get("warnings", [])]
    lines.append("")
    for f in result["findings"]:
        head = f"[{_sev(f['severity'])}] {_kind(f['kind'])}"
        if f["clause"] is not None:
            head += f" 草案{_clause_name(doc, f['clause'])}"
        if f["parent_document"]:
            pdoc = parents[f["parent_document"]]
            head += f" ↔ {pdoc.id} {_clause_name(pdoc, f['parent_clause'])}"
        lines += [head, f"  {f['message']}"]
    if parents:
        lines += ["", "条款对应（每条最佳对应，分数越高越接近）："]
    for clause in doc.clauses if parents else []:
        best = _best(result, clause.number)
        where = "；".join(f"{a['parent_document']} {parents[a['parent_document']].clause(a['parent_clause']).label}"
                         f" {a['score']:.2f}" for a in best[:3]) or "无对应"
        lines.append(f"  {clause.label}{clause.title}：{where}")
    return "\n".join(lines)


# -- Markdown --------------------------------------------------------------------------------
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#!])")


def _md(text: str) -> str:
    """Document text made inert in Markdown: no HTML (<script>, <img onerror> become text), no
    Markdown syntax (links, images, emphasis, table cells), one line."""
    text = html.escape(str(text), quote=False)
    return _MD_SPECIAL.sub(r"\\\1", text).replace("\r", " ").replace("\n", " ")


def to_markdown(kg, result: dict[str, Any]) -> str:
    doc, parents = _docs(kg, result)
    out = [f"# 一致性检查：{_md(doc.meta.title)}", "",
           f"- 文件：`{doc.id}`",
           f"- 上级文件：{'；'.join(f'{_md(parents[p].meta.title)}（`{p}`）' for p in parents) or '无'}",
           f"- 结果：{_md_summary(result)}"]
    out += [f"- **注意**：{_md(w)}" for w in result.get("warnings", [])]
    out += ["", "## 问题", "", "| 严重程度 | 类型 | 草案条款 | 上级条款 | 说明 |", "| --- | --- | --- | --- | --- |"]
    for f in result["findings"]:
        parent = ""
        if f["parent_document"]:
            pdoc = parents[f["parent_document"]]
            parent = f"{f['parent_document']} {_clause_name(pdoc, f['parent_clause'])}"
        out.append(f"| {_md(_sev(f['severity']))} | {_md(_kind(f['kind']))} | {_md(_clause_name(doc, f['clause']))} "
                   f"| {_md(parent)} | {_md(f['message'])} |")
    out += ["", "## 条款对应", "", "| 草案条款 | 对应上级条款（相似度） |", "| --- | --- |"]
    for clause in doc.clauses:
        best = _best(result, clause.number)
        where = "；".join(f"{a['parent_document']} {_clause_name(parents[a['parent_document']], a['parent_clause'])}"
                         f"（{a['score']:.2f}）" for a in best[:3]) or "无对应"
        out.append(f"| {_md(clause.label + clause.title)} | {_md(where)} |")
    return "\n".join(out) + "\n"


# -- HTML ------------------------------------------------------------------------------------
CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",sans-serif;margin:1.5rem;color:#222;
line-height:1.6;background:#fafafa}
h1{font-size:1.4rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin-top:2rem}
.meta{color:#555;font-size:.9rem}.warn{background:#fff4e5;border-left:4px solid #e69500;padding:.4rem .8rem;margin:.5rem 0}
.summary span{display:inline-block;margin:.2rem .4rem .2rem 0;padding:.1rem .6rem;border-radius:1rem;background:#e8eef7}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #ddd;padding:.5rem;vertical-align:top;text-align:left}
th{background:#f0f3f7;position:sticky;top:0}
td.clause,td.parent{width:36%}td.findings{width:28%}
.label{font-weight:bold;color:#1f4e8c}.score{color:#777;font-size:.85rem}
ins{background:#d7f5dd;text-decoration:none}del{background:#fbe1e1;color:#8a1f1f}
mark{background:none;border-bottom:3px solid #ef8f00;padding-bottom:1px}
.f{border-left:4px solid #999;padding:.2rem .5rem;margin:.3rem 0;background:#fcfcfc;font-size:.92rem}
.f.high{border-color:#c62828}.f.medium{border-color:#ef8f00}.f.low{border-color:#7a9cc6}
.kind{font-weight:bold}.sev{font-size:.8rem;color:#fff;border-radius:.3rem;padding:0 .3rem;margin-right:.3rem}
.sev.high{background:#c62828}.sev.medium{background:#ef8f00}.sev.low{background:#7a9cc6}
.none{color:#999}details{margin-top:.4rem;font-size:.9rem}.legend{font-size:.85rem;color:#555}
"""


def _changed(a: str, b: str) -> tuple[list[bool], list[bool]]:
    """Per character: is it outside the common parts of `a` and `b` (difflib on characters)?"""
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    # a run of one or two equal characters between changes is noise: show it as changed
    ops = [("replace" if op == "equal" and i2 - i1 <= 2 and 0 < k < len(ops) - 1 else op, i1, i2, j1, j2)
           for k, (op, i1, i2, j1, j2) in enumerate(ops)]
    left, right = [True] * len(a), [True] * len(b)
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            left[i1:i2] = [False] * (i2 - i1)
            right[j1:j2] = [False] * (j2 - j1)
    return left, right


def _spans(text: str, needles: list[str]) -> list[bool]:
    """Per character: is it inside one of `needles` (the sentences findings quote)?"""
    marked = [False] * len(text)
    for needle in needles:
        needle = needle.strip("，。；, ")
        at = text.find(needle) if len(needle) >= 4 else -1
        if at >= 0:
            marked[at:at + len(needle)] = [True] * len(needle)
    return marked


def _render(text: str, changed: list[bool], marked: list[bool], tag: str) -> str:
    """Text with changed runs in <ins>/<del> and quoted sentences in <mark>, escaped."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and (changed[j], marked[j]) == (changed[i], marked[i]):
            j += 1
        piece = html.escape(text[i:j])
        if changed[i]:
            piece = f"<{tag}>{piece}</{tag}>"
        if marked[i]:
            piece = f"<mark>{piece}</mark>"
        out.append(piece)
        i = j
    return "".join(out)


def _quoted(text: str, findings: list[dict[str, Any]], blanks=()) -> list[str]:
    """What to underline in a clause: the sentences its findings quote, and its blanks (the
    extracted placeholders of the clause) with their words."""
    quoted = [f["evidence"]["text"] for f in findings if kinds.get(f["kind"]).mark == "evidence"]
    if any(kinds.get(f["kind"]).mark == "blanks" for f in findings):
        quoted += [text[max(0, p.start - 6):p.end + 2] for p in blanks]
    return quoted


def _diff(a: str, b: str, quoted_a: list[str] = (), quoted_b: list[str] = ()) -> tuple[str, str]:
    """HTML of `a` with what is not in `b` in <ins>, of `b` with what is not in `a` in <del>;
    the sentences findings quote are in <mark>."""
    left, right = _changed(a, b)
    return _render(a, left, _spans(a, list(quoted_a)), "ins"), _render(b, right, _spans(b, list(quoted_b)), "del")


def _finding_html(f: dict[str, Any], parents) -> str:
    e = html.escape
    where = ""
    if f["parent_document"] and f["clause"] is not None:
        where = f" <span class='score'>↔ {e(f['parent_document'])} {e(_clause_name(parents[f['parent_document']], f['parent_clause']))}</span>"
    return (f"<div class='f {e(f['severity'])}'><span class='sev {e(f['severity'])}'>{e(_sev(f['severity']))}</span>"
            f"<span class='kind'>{e(_kind(f['kind']))}</span>{where}<br>{e(f['message'])}</div>")


def to_html(kg, result: dict[str, Any]) -> str:
    e = html.escape
    from .facts import clause_facts

    doc, parents = _docs(kg, result)
    findings = result["findings"]
    counts = Counter(f["kind"] for f in findings)
    facts = clause_facts(kg, [doc]) if any(kinds.get(f["kind"]).mark == "blanks" for f in findings) else {}

    def blanks(clause):
        return facts[clause.key].placeholders if clause.key in facts else []

    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>一致性检查：{e(doc.meta.title)}</title><style>{CSS}</style></head><body>",
        f"<h1>一致性检查：{e(doc.meta.title)}</h1>",
        f"<div class='meta'>文件 <code>{e(doc.id)}</code>；上级文件："
        + ("；".join(f"{e(p.meta.title)}（<code>{e(pid)}</code>{'，要点摘要' if p.meta.text == 'digest' else ''}）"
                     for pid, p in parents.items()) or "无") + "</div>",
    ]
    parts += [f"<div class='warn'>{e(w)}</div>" for w in result.get("warnings", [])]
    parts.append("<div class='summary'>" + ("".join(f"<span>{e(_kind(k))} {n}</span>" for k, n in counts.most_common())
                                            or "<span>未发现问题</span>") + "</div>")
    parts.append("<p class='legend'>左栏为本文件条款，中栏为对应的上级条款：<ins>绿色</ins>为本文件有而上级没有的文字，"
                 "<del>红色删除线</del>为上级有而本文件没有的文字，<mark>橙色下划线</mark>为问题所指的句子；右栏为该条的问题。</p>")
    parts.append("<table><thead><tr><th>本文件条款</th><th>对应上级条款</th><th>问题</th></tr></thead><tbody>")
    for clause in doc.clauses:
        best = _best(result, clause.number)
        mine = [f for f in findings if f["clause"] == clause.number]
        if best:
            top = best[0]
            pclause = parents[top["parent_document"]].clause(top["parent_clause"])
            quoted = [f for f in mine if f["parent_document"] == top["parent_document"]
                      and f["parent_clause"] == top["parent_clause"]]
            left, right = _diff(clause.text, pclause.text, _quoted(clause.text, mine, blanks(clause)),
                                [f["evidence"]["parent_text"] for f in quoted])
            parent_cell = (f"<div class='label'>{e(parents[top['parent_document']].meta.title)} {e(pclause.label)}"
                           f" <span class='score'>相似度 {top['score']:.2f}</span></div>{right}")
            others = best[1:]
            if others:
                parent_cell += "<details><summary>其他对应条款</summary>" + "".join(
                    f"<div><span class='label'>{e(a['parent_document'])} "
                    f"{e(_clause_name(parents[a['parent_document']], a['parent_clause']))}</span> "
                    f"<span class='score'>{a['score']:.2f}</span><br>"
                    f"{e(parents[a['parent_document']].clause(a['parent_clause']).text)}</div>" for a in others) + "</details>"
        else:
            left = _render(clause.text, [False] * len(clause.text), _spans(clause.text, _quoted(clause.text, mine, blanks(clause))), "ins")
            parent_cell = "<span class='none'>上级文件中无对应条款</span>"
        parts.append(
            f"<tr id='c{clause.number}'><td class='clause'><div class='label'>{e(clause.label)}{e(clause.title)}</div>"
            f"{left}</td><td class='parent'>{parent_cell}</td><td class='findings'>"
            + ("".join(_finding_html(f, parents) for f in mine) or "<span class='none'>无</span>") + "</td></tr>")
    parts.append("</tbody></table>")
    uncovered = [f for f in findings if kinds.get(f["kind"]).parent_only and f["parent_document"] in parents
                 and f["parent_clause"] is not None]
    if uncovered:
        parts.append("<h2>本文件未落实的上级条款</h2><table><thead><tr><th>上级条款</th><th>说明</th></tr></thead><tbody>")
        for f in uncovered:
            pclause = parents[f["parent_document"]].clause(f["parent_clause"])
            parts.append(f"<tr><td class='parent'><div class='label'>{e(parents[f['parent_document']].meta.title)} "
                         f"{e(pclause.label)}{e(pclause.title)}</div>{e(pclause.text)}</td>"
                         f"<td class='findings'>{_finding_html(f, parents)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "\n".join(parts)
