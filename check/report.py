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
from pathlib import Path
from typing import Any

from . import kinds


def _kind(name: str) -> str:
    """A finding kind's Chinese label, from the registry (check/kinds.py)."""
    return kinds.get(name).zh


def _sev(severity: str) -> str:
    return kinds.severity_label(severity)


class _KindLabels(dict):
    """Chinese labels of finding kinds for the templates, from the registry."""

    def __missing__(self, name: str) -> str:
        return _kind(name)


KIND_ZH = _KindLabels()
SEVERITY_ZH = {"high": "高", "medium": "中", "low": "低"}


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
    lines += [f"范围：{x['description']}" for x in result.get("scope", [])]
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
    out += [f"- 范围：{_md(x['description'])}" for x in result.get("scope", [])]
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


# -- one report for `check --html` and the web page ------------------------------------------
TEMPLATES = Path(__file__).resolve().parent / "templates"
SEVERITIES = ("high", "medium", "low")
# the filters of the static page: radio buttons and a checkbox read by the stylesheet, no script
FILTER_CSS = """
.ctl{position:absolute;left:-9999px}.filters{margin:.6rem 0;font-size:.9rem}
.filters label{cursor:pointer;padding:.1rem .5rem;border-radius:1rem;background:#eef2f7;margin:0 .1rem}
#only:checked~.body tbody tr.clean{display:none}#only:checked~.filters label[for=only]{background:#1f4e8c;color:#fff}
#k-all:checked~.filters label[for=k-all],#s-all:checked~.filters label[for=s-all]{background:#1f4e8c;color:#fff}
"""


def _filter_css(kinds: list[str]) -> str:
    rules = [FILTER_CSS]
    for k in kinds:
        rules.append(f"#k-{k}:checked~.body .f:not(.k-{k}),#k-{k}:checked~.body tbody tr:not(.has-{k}){{display:none}}"
                     f"#k-{k}:checked~.filters label[for=k-{k}]{{background:#1f4e8c;color:#fff}}")
    for s in SEVERITIES:
        rules.append(f"#s-{s}:checked~.body .f:not(.{s}),#s-{s}:checked~.body tbody tr:not(.sev-{s}){{display:none}}"
                     f"#s-{s}:checked~.filters label[for=s-{s}]{{background:#1f4e8c;color:#fff}}")
    return "\n".join(rules)


def _env():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True),
                       trim_blocks=True, lstrip_blocks=True)


def _finding_view(f: dict[str, Any], parents) -> dict[str, Any]:
    where = ""
    if f["parent_document"] and f["clause"] is not None and f["parent_document"] in parents:
        where = f"{f['parent_document']} {_clause_name(parents[f['parent_document']], f['parent_clause'])}"
    return {**f, "kind_zh": KIND_ZH[f["kind"]], "severity_zh": SEVERITY_ZH[f["severity"]], "where": where}


def _classes(findings: list[dict[str, Any]]) -> str:
    if not findings:
        return "clean"
    return " ".join(["has-findings", *sorted({f"has-{f['kind']}" for f in findings}),
                     *sorted({f"sev-{f['severity']}" for f in findings})])


def view(kg, result: dict[str, Any], kinds: tuple[str, ...] | list[str] = (), severities: tuple[str, ...] | list[str] = (),
         only_findings: bool = False, links: bool = False) -> dict[str, Any]:
    """What the report template shows: one row per clause (the clause and its best parent clause
    with the character differences marked, the findings beside them), the uncovered parent
    clauses, counts, scope and warnings; `kinds`/`severities` keep only those findings and
    `only_findings` drops the clauses left without any."""
    from markupsafe import Markup

    from . import kinds as registry  # `kinds` is the filter here
    from .facts import clause_facts

    doc, parents = _docs(kg, result)
    facts = clause_facts(kg, [doc]) if any(registry.get(f["kind"]).mark == "blanks" for f in result["findings"]) else {}

    def blanks(clause):
        return facts[clause.key].placeholders if clause.key in facts else []

    keep = [f for f in result["findings"] if (not kinds or f["kind"] in kinds)
            and (not severities or f["severity"] in severities)]
    rows = []
    for clause in doc.clauses:
        mine = [f for f in keep if f["clause"] == clause.number]
        if only_findings and not mine:
            continue
        best = _best(result, clause.number)
        row: dict[str, Any] = {"number": clause.number, "label": clause.label, "title": clause.title,
                               "findings": [_finding_view(f, parents) for f in mine], "classes": _classes(mine),
                               "parent": None, "others": []}
        if best:
            top = best[0]
            pclause = parents[top["parent_document"]].clause(top["parent_clause"])
            quoted = [f for f in mine if f["parent_document"] == top["parent_document"]
                      and f["parent_clause"] == top["parent_clause"]]
            left, right = _diff(clause.text, pclause.text, _quoted(clause.text, mine, blanks(clause)),
                                [f["evidence"]["parent_text"] for f in quoted])
            row["parent"] = {"document": top["parent_document"], "number": pclause.number, "label": pclause.label,
                             "title": parents[top["parent_document"]].meta.title, "score": top["score"],
                             "right": Markup(right)}
            row["others"] = [{"document": a["parent_document"], "score": a["score"],
                              "name": _clause_name(parents[a["parent_document"]], a["parent_clause"]),
                              "text": parents[a["parent_document"]].clause(a["parent_clause"]).text} for a in best[1:]]
        else:
            left = _render(clause.text, [False] * len(clause.text), _spans(clause.text, _quoted(clause.text, mine)), "ins")
        row["left"] = Markup(left)
        rows.append(row)
    uncovered = []
    for f in keep:
        if f["clause"] is None and f["parent_document"] in parents and f["parent_clause"] is not None:
            pclause = parents[f["parent_document"]].clause(f["parent_clause"])
            uncovered.append({"title": parents[f["parent_document"]].meta.title, "label": f"{pclause.label}{pclause.title}",
                              "text": pclause.text, "finding": _finding_view(f, parents), "classes": _classes([f])})
    counts = Counter(f["kind"] for f in result["findings"]).most_common()
    return {"document": doc.id, "title": doc.meta.title, "links": links,
            "parents": [{"id": pid, "title": p.meta.title, "digest": p.meta.text == "digest"} for pid, p in parents.items()],
            "rows": rows, "uncovered": uncovered, "counts": counts, "kind_zh": KIND_ZH, "severity_zh": SEVERITY_ZH,
            "severities": [s for s in SEVERITIES if any(f["severity"] == s for f in result["findings"])],
            "scope": result.get("scope", []), "warnings": result.get("warnings", []),
            "filters": {"kinds": list(kinds), "severities": list(severities), "only": only_findings}}


def to_html(kg, result: dict[str, Any]) -> str:
    """The self-contained page (`check --html`): inline CSS, no script, filters by kind and
    severity and a switch hiding clauses without findings (CSS :checked), every text escaped."""
    from markupsafe import Markup

    v = view(kg, result)
    return _env().get_template("report_page.html").render(v=v, css=Markup(CSS), filter_css=Markup(_filter_css([k for k, _ in v["counts"]])))
