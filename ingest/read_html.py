"""The .html/.htm reader: the document body of a whole web page, without navigation, scripts and footers."""
from __future__ import annotations

import re
from pathlib import Path

from policykg.ingest.readers import Source, decode, lines_source, register

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Lines that belong to the page around a document, not to the document.
BOILERPLATE = re.compile(
    r"^(?:点击数|点击量|浏览次数|阅读次数|访问量|发布时间|发布日期|来源|文章来源|信息来源|作者|责任编辑|编辑|"
    r"当前位置|您当前的位置|您的位置|打印|关闭|分享到|扫一扫|字号|【?字体|上一篇|下一篇|相关链接|相关文章|推荐阅读|"
    r"版权所有|Copyright|©|ICP备|京ICP|沪ICP|网站标识码|主办单位|承办单位|联系我们|网站地图|技术支持|"
    r"[（(](?:来源|责任编辑|编辑|作者)[：:])",
    re.IGNORECASE,
)
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
               "article", "table", "td", "blockquote", "pre", "dd", "dt")
_DROP_TAGS = ("script", "style", "noscript", "iframe", "nav", "footer", "header", "form", "select",
              "button", "input", "textarea", "svg", "canvas", "object", "embed", "template", "head")
_NOISE_ATTR = re.compile(r"(?:^|[\s_-])(?:nav|menu|footer|header|sidebar|breadcrumb|crumb|share|comment|"
                         r"copyright|banner|toolbar|pagination|pager|related|recommend|login|topbar|"
                         r"friendlink|links?)(?:$|[\s_-])", re.IGNORECASE)


@register(".html", ".htm")
def read_html(path: Path, raw: bytes) -> Source:
    """A whole web page: the document body only, one block per line."""
    return lines_source(html_to_text(decode(path, raw)))


def html_to_text(html: str) -> str:
    """The document body of a web page as lines, without navigation, scripts and footers."""
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    tree = HTMLParser(html)
    for node in tree.css(",".join(_DROP_TAGS)):
        node.decompose()
    for node in tree.css("[class], [id]"):
        attrs = f"{node.attributes.get('class') or ''} {node.attributes.get('id') or ''}"
        if _NOISE_ATTR.search(attrs) and len(_CJK.findall(node.text())) < 2000:
            # a navigation or footer block, unless it is big enough to hold the document itself
            if not _looks_like_body(node.text(separator="\n")):
                node.decompose()
    root = _best_container(tree) or tree.body or tree.root
    if root is None:
        return ""
    text = _node_lines(root)
    return "\n".join(line for line in text.split("\n") if not BOILERPLATE.match(line.strip()))


def _looks_like_body(text: str) -> bool:
    return len(re.findall(r"[。；]", text)) >= 5


def _node_lines(node) -> str:
    for tag in _BLOCK_TAGS:
        for child in node.css(tag):
            if tag == "br":
                child.replace_with("\n")
            else:
                child.insert_before("\n")
                child.insert_after("\n")
    return node.text(separator="", deep=True)


def _best_container(tree):
    """Readability-style: paragraphs of prose score their parent and grandparent; best wins."""
    scores: dict[int, float] = {}
    nodes: dict[int, object] = {}
    for para in tree.css("p, div, td, section, article, span, font, li"):
        own = para.text(deep=False) if para.tag != "p" else para.text()
        cjk = len(_CJK.findall(own))
        if cjk < 20 or not re.search(r"[，。；]", own):
            continue
        weight = cjk + 10 * len(re.findall(r"[。；]", own))
        for depth, ancestor in enumerate((para, para.parent, para.parent.parent if para.parent else None)):
            if ancestor is None or ancestor.tag in ("html", None):
                continue
            key = ancestor.mem_id
            nodes[key] = ancestor
            scores[key] = scores.get(key, 0.0) + weight / (1, 1, 2)[depth]
    if not scores:
        return None
    best = max(scores, key=scores.get)
    node = nodes[best]
    # Link-heavy containers are lists of links, not documents.
    links = sum(len(_CJK.findall(a.text())) for a in node.css("a"))
    total = len(_CJK.findall(node.text())) or 1
    if links / total > 0.5:
        return None
    return node
