"""Read a document file into plain text: .txt (UTF-8 or GB18030), .html/.htm, .docx."""
from __future__ import annotations

import re
from pathlib import Path

from policykg.errors import InputError
from policykg.ingest.limits import check_file_size, check_lines

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


def read_text(path: Path) -> str:
    """Return the text of a document file; the document body only, for a web page."""
    path = Path(path)
    suffix = path.suffix.lower()
    check_file_size(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if suffix == ".docx":
        return check_lines(path, _read_docx(path))
    text = _decode(path, raw)
    if suffix in (".html", ".htm"):
        return check_lines(path, html_to_text(text))
    return check_lines(path, text)


def _decode(path: Path, raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise InputError(f"{path}: unreadable encoding (expected UTF-8 or GB18030 text)")


def _read_docx(path: Path) -> str:
    import zipfile

    try:
        import docx  # python-docx
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable .docx file ({exc.__class__.__name__})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


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
