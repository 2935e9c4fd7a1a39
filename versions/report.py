"""The 新旧对照表 of a version diff as plain text, Markdown or one self-contained HTML page.

HTML: one row per pair (old articles | relation | new articles); changed wording is marked
with <del> (only in the old text) and <ins> (only in the new text). Inline CSS, no scripts,
every text escaped.
"""
from __future__ import annotations

import html

from policykg.versions.diff import Pair, VersionDiff

RELATION_ZH = {"unchanged": "未改动", "changed": "修改", "renumbered": "条号变动", "split": "拆分",
               "merged": "合并", "added": "新增", "removed": "删除"}


def _labels(clauses) -> str:
    return "、".join(c.label for c in clauses) or "—"


def _title(diff: VersionDiff) -> str:
    def name(doc) -> str:
        date = f"，{doc.meta.date}" if doc.meta.date else ""
        return f"《{doc.meta.title}》（{doc.id}{date}）"

    return f"新旧对照：{name(diff.old)} → {name(diff.new)}"


def _summary(diff: VersionDiff) -> str:
    counts = diff.counts()
    return "，".join(f"{RELATION_ZH[k]} {counts[k]}" for k in RELATION_ZH if counts.get(k))


def to_text(diff: VersionDiff) -> str:
    lines = [_title(diff), f"条文：{_summary(diff)}"]
    lines += [f"注意：{w}" for w in diff.warnings]
    for pair in diff.pairs:
        note = "（文字有改动）" if pair.relation in ("renumbered", "split", "merged") and pair.text_changed else ""
        lines.append(f"{_labels(pair.old):<12} → {_labels(pair.new):<12} {RELATION_ZH[pair.relation]}{note}")
    return "\n".join(lines)


def _md_diff(pair: Pair) -> str:
    out = []
    for op, text in pair.diff:
        text = text.replace("\n", " ").replace("|", "\\|").replace("~", "\\~").replace("*", "\\*")
        out.append(text if op == "equal" else f"~~{text}~~" if op == "delete" else f"**{text}**")
    return "".join(out)


def _md_text(clauses) -> str:
    return " ".join(c.text for c in clauses).replace("\n", " ").replace("|", "\\|")


def to_markdown(diff: VersionDiff) -> str:
    lines = [f"# {_title(diff)}", "", f"条文：{_summary(diff)}", ""]
    lines += [f"> 注意：{w}" for w in diff.warnings]
    lines += ["| 原条文 | 新条文 | 关系 | 对照（~~删去~~ **新增**） |", "| --- | --- | --- | --- |"]
    for pair in diff.pairs:
        if pair.relation == "added":
            body = f"**{_md_text(pair.new)}**"
        elif pair.relation == "removed":
            body = f"~~{_md_text(pair.old)}~~"
        elif pair.text_changed:
            body = _md_diff(pair)
        else:
            body = _md_text(pair.new)
        lines.append(f"| {_labels(pair.old)} | {_labels(pair.new)} | {RELATION_ZH[pair.relation]} | {body} |")
    return "\n".join(lines) + "\n"


def _side(pair: Pair, side: str) -> str:
    if not pair.diff:
        clauses = pair.old if side == "old" else pair.new
        return html.escape("\n".join(c.text for c in clauses))
    keep = "delete" if side == "old" else "insert"
    tag = "del" if side == "old" else "ins"
    out = []
    for op, text in pair.diff:
        if op == "equal":
            out.append(html.escape(text))
        elif op == keep:
            out.append(f"<{tag}>{html.escape(text)}</{tag}>")
    return "".join(out)


_CSS = """body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.5em;vertical-align:top;white-space:pre-wrap}
th{background:#f3f3f3}del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}
td.rel{white-space:nowrap;text-align:center}tr.added td.new{background:#f2fff2}tr.removed td.old{background:#fff2f2}"""


def to_html(diff: VersionDiff) -> str:
    rows = []
    for pair in diff.pairs:
        rows.append(
            f'<tr class="{pair.relation}"><td class="old">{html.escape(_labels(pair.old))}\n{_side(pair, "old") if pair.old else ""}</td>'
            f'<td class="rel">{RELATION_ZH[pair.relation]}</td>'
            f'<td class="new">{html.escape(_labels(pair.new))}\n{_side(pair, "new") if pair.new else ""}</td></tr>'
        )
    warnings = "".join(f"<p>注意：{html.escape(w)}</p>" for w in diff.warnings)
    title = html.escape(_title(diff))
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{_CSS}</style></head><body><h1>{title}</h1><p>条文：{html.escape(_summary(diff))}</p>{warnings}"
            f"<table><thead><tr><th>原条文</th><th>关系</th><th>新条文</th></tr></thead><tbody>{''.join(rows)}"
            "</tbody></table></body></html>\n")
