"""A small layered SVG picture of the graph around a clause or an entity (no JavaScript, no CDN).

Nodes sit in columns (e.g. parent clause | clause | benefit | entity | agency); edges are
curves labelled with the property's local name. Every label is escaped; nodes link to their
pages.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

NODE_W, NODE_H, COL_GAP, ROW_GAP, PAD = 190, 40, 70, 18, 16
COLOURS = {
    "clause": ("#dbeafe", "#1d4ed8"), "parent": ("#e5e7eb", "#374151"), "child": ("#e5e7eb", "#374151"),
    "entity": ("#dcfce7", "#15803d"), "benefit": ("#ffedd5", "#c2410c"), "agency": ("#ede9fe", "#6d28d9"),
}


@dataclass
class Node:
    id: str
    label: str
    kind: str  # a key of COLOURS
    column: int
    href: str = ""
    note: str = ""  # a second, smaller line (amount, document label …)


@dataclass
class Edge:
    source: str
    target: str
    label: str


def _width(text: str) -> float:
    return sum(13.0 if ord(ch) > 0x2E7F else 7.0 for ch in text)


def _fit(text: str, limit: float) -> str:
    out, used = "", 0.0
    for ch in text:
        w = 13.0 if ord(ch) > 0x2E7F else 7.0
        if used + w > limit:
            return out.rstrip() + "…"
        out += ch
        used += w
    return out


def render(nodes: list[Node], edges: list[Edge], title: str = "") -> str:
    """The SVG markup (a string safe to inline in HTML)."""
    if not nodes:
        return ""
    columns = sorted({n.column for n in nodes})
    col_x = {c: PAD + i * (NODE_W + COL_GAP) for i, c in enumerate(columns)}
    by_col: dict[int, list[Node]] = {c: [n for n in nodes if n.column == c] for c in columns}
    rows = max(len(v) for v in by_col.values())
    height = PAD * 2 + rows * NODE_H + (rows - 1) * ROW_GAP
    width = PAD * 2 + len(columns) * NODE_W + (len(columns) - 1) * COL_GAP
    pos: dict[str, tuple[float, float]] = {}
    for c, members in by_col.items():
        block = len(members) * NODE_H + (len(members) - 1) * ROW_GAP
        top = (height - block) / 2
        for i, n in enumerate(members):
            pos[n.id] = (col_x[c], top + i * (NODE_H + ROW_GAP))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kg-graph" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" role="img" aria-label="{escape(title or "graph")}">',
           "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" "
           "markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#6b7280\"/>"
           "</marker></defs>"]
    if title:
        out.append(f"<title>{escape(title)}</title>")
    labelled: set[tuple[str, str]] = set()
    for e in edges:
        if e.source not in pos or e.target not in pos:
            continue
        (sx, sy), (tx, ty) = pos[e.source], pos[e.target]
        sy, ty = sy + NODE_H / 2, ty + NODE_H / 2
        if tx >= sx:
            x1, x2 = sx + NODE_W, tx
        else:
            x1, x2 = sx, tx + NODE_W
        mid = (x1 + x2) / 2
        out.append(f'<path class="edge" d="M{x1:.0f},{sy:.0f} C{mid:.0f},{sy:.0f} {mid:.0f},{ty:.0f} {x2:.0f},{ty:.0f}" '
                   'fill="none" stroke="#9ca3af" stroke-width="1.4" marker-end="url(#arrow)"/>')
        if (e.source, e.label) in labelled:
            continue  # one label per property and source keeps a fan of edges readable
        labelled.add((e.source, e.label))
        lx, ly = mid, (sy + ty) / 2 - 4
        out.append(f'<text class="edge-label" x="{lx:.0f}" y="{ly:.0f}" text-anchor="middle" font-size="11" '
                   f'fill="#4b5563">{escape(e.label)}</text>')
    for n in nodes:
        x, y = pos[n.id]
        fill, stroke = COLOURS.get(n.kind, COLOURS["entity"])
        label = _fit(n.label, NODE_W - 16)
        note = _fit(n.note, NODE_W - 16) if n.note else ""
        ty = y + (16 if note else 25)
        body = (f'<rect x="{x:.0f}" y="{y:.0f}" width="{NODE_W}" height="{NODE_H}" rx="7" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="1.5"/>'
                f'<text x="{x + 8:.0f}" y="{ty:.0f}" font-size="13" fill="#111827">{escape(label)}</text>')
        if note:
            body += f'<text x="{x + 8:.0f}" y="{y + 32:.0f}" font-size="11" fill="{stroke}">{escape(note)}</text>'
        tip = f"<title>{escape(n.kind)}: {escape(n.label)}{(' — ' + escape(n.note)) if n.note else ''}</title>"
        if n.href:
            out.append(f'<a class="node node-{escape(n.kind)}" href="{escape(n.href)}">{tip}{body}</a>')
        else:
            out.append(f'<g class="node node-{escape(n.kind)}">{tip}{body}</g>')
    out.append("</svg>")
    return "".join(out)
