"""What part of a parent a document implements, and which parent clauses need no counterpart.

- :func:`parent_names`: how a child names its parent (full title, title without 中华人民共和国,
  the abbreviation it defines: `（以下简称劳动合同法）`).
- :func:`cited_articles`: the parent articles a child cites (`依照劳动合同法第四十七条`,
  `《矿山安全法》第四十条`, `条例第四条`): a cited article is taken up, not left out.
- :func:`is_legal_norm`: a law or regulation (…法, …条例, …规定, …办法, …细则) applies directly; a
  document implementing it details chosen articles and restates none of the rest, so its
  uncovered articles are no finding (a policy opinion's tasks are).
- :func:`boilerplate`: parent clauses nothing implements — the purpose or basis clause, the
  effective date, the order to make implementing rules, the interpretation clause.
- :func:`describe`: the scope a report states (what the child says it implements, the parent
  chapters its clauses take up, how many parent clauses it covers).
"""
from __future__ import annotations

import re

from policykg.ingest.model import Clause, Document
from policykg.text import CN_DIGITS, parse_number

LEGAL_NORM = re.compile(r"(?:法|条例|规定|办法|细则|规则)(?:（[^）]*）|\([^)]*\))?$")
PURPOSE = re.compile(r"^(?:为了?|根据|依据|依照)[^。]{0,120}制定本(?:法|条例|规定|办法|细则|规则|意见|决定|方案)")
EFFECTIVE = re.compile(r"(?:自[^。]{0,30}起施行|自[^。]{0,20}之日起施行|施行之日起|本(?:法|条例|规定|办法|细则)[^。]{0,20}施行)")
ORDER_RULES = re.compile(r"制定(?:本(?:法|条例|规定)的)?实施(?:办法|条例|细则|意见)|(?:本(?:法|条例|规定|办法))?由[^。]{0,30}负责解释")
CN = rf"[{CN_DIGITS}\d]"  # an article number, in Chinese numerals or digits
_CN = CN
ARTICLE = re.compile(rf"第({CN}+)条")
ABBREVIATION = re.compile(r"以下简称[“\"《]?([^”\"》）)，,]{2,20})")


def short_title(title: str) -> str:
    title = re.sub(r"（[^）]*）|\([^)]*\)", "", title).strip("《》 ")
    return title.removeprefix("中华人民共和国")


def is_legal_norm(doc: Document) -> bool:
    """A law, regulation or rule (its title ends in 法, 条例, 规定, 办法, 细则 or 规则)."""
    return bool(LEGAL_NORM.search(doc.meta.title.strip()))


def parent_names(child: Document, parent: Document) -> list[str]:
    """The names a child uses for its parent, longest first."""
    title = re.sub(r"（[^）]*）|\([^)]*\)", "", parent.meta.title).strip()
    names = {title, short_title(title)}
    head = "\n".join(c.text for c in child.clauses[:3]) + child.preamble
    for m in ABBREVIATION.finditer(head):
        before = head[max(0, m.start() - 60):m.start()]
        if short_title(title) in before or title in before:
            names.add(m.group(1))
    return sorted((n for n in names if len(n) >= 2), key=len, reverse=True)


def parse_article(text: str) -> int | None:
    """The number of an article reference (`四十七` → 47), or None."""
    value = parse_number(text)
    return int(value) if value is not None else None


_number = parse_article


def cited_articles(child: Document, parent: Document) -> dict[int, set[int]]:
    """{parent article number: child clauses citing it} (`劳动合同法第四十七条` in a clause)."""
    names = "|".join(re.escape(n) for n in parent_names(child, parent))
    if not names:
        return {}
    pattern = re.compile(rf"《?(?:{names})》?((?:第{_CN}+条(?:第[^，。；、]{{1,8}}?[款项])*[、和及或者至]*)+)")
    out: dict[int, set[int]] = {}
    for clause in child.clauses:
        for m in pattern.finditer(clause.text):
            for a in ARTICLE.finditer(m.group(1)):
                n = _number(a.group(1))
                if n is not None:
                    out.setdefault(n, set()).add(clause.number)
    return out


def boilerplate(clause: Clause) -> bool:
    """A purpose or basis clause, an effective date, an order to make implementing rules."""
    body = clause.body.strip()
    return bool(PURPOSE.search(body) or (len(body) < 80 and EFFECTIVE.search(body)) or ORDER_RULES.search(body))


def chapters(doc: Document, numbers: set[int]) -> list[str]:
    """The section labels (第二章, 三、) holding the given clause numbers, in document order."""
    seen: list[str] = []
    for c in doc.clauses:
        if c.number in numbers and c.section_label and c.section_label not in seen:
            seen.append(c.section_label)
    return seen


def describe(child: Document, parent: Document, covered: set[int], legal: bool) -> dict:
    """The scope of `child` in `parent`: a JSON object with a sentence a drafter reads."""
    substantive = [c.number for c in parent.clauses if not boilerplate(c)]
    taken = sorted(n for n in covered if n in substantive)
    touched = chapters(parent, set(taken))
    shown = "、".join(f"第{t.rstrip('、')}部分" if t.endswith("、") else t for t in touched)
    said, whole = "", False
    for c in child.clauses[:3]:
        if any(n in c.body for n in parent_names(child, parent)) and re.search(r"实施|贯彻|根据|依据|落实", c.body):
            said = f"{c.label}“{c.body.split('，')[0][:50]}”"
            whole = not re.search(rf"第{_CN}+[条章]", c.body.split("制定")[0])
            break
    parts = [f"《{parent.meta.title}》"]
    me = "草案" if child.meta.status == "draft" else "本文件"
    text = (f"{me}{'（' + said + '）' if said else ''}落实" + parts[0]
            + (f"，对应其{shown}中的 {len(taken)} 条" if touched else f"的 {len(taken)} 条")
            + f"（上级实体条款共 {len(substantive)} 条）。")
    if legal:
        text += f"上级为法律法规，{me}未重述的条款直接适用，不逐条列为未落实。"
    elif len(taken) < 0.5 * len(substantive):
        text += "只落实上级部分内容：未落实的条款只在上述章节内列出。"
    return {"parent_document": parent.id, "whole": whole, "stated": said, "chapters": touched,
            "covered": taken, "substantive": len(substantive), "legal_norm": legal, "description": text}
