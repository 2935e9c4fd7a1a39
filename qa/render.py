"""English renderings from the legal vocabulary (search/legal.toml), no translation service.

`render_sentence` writes an answering sentence as English clauses: each clause (cut at `；`) as
its condition (`…的，` → "where …"), its party (the words before the modal word, with "the"),
the modality (不得 → must not, 应当 → must, 可以 → may, 无需 → need not, 不缴纳 → does not pay),
and the act and its object, term by term from the vocabulary; figures with their units and cases
(`已满10年不满20年` → 10 years or more but less than 20 years, `300%`, `两倍` → 2 times). What the
vocabulary does not know is left out (the Chinese quote stays as evidence beside it).
`title_en` gives a document's English title (the official one from legal.toml's [titles], else
a rendering when the vocabulary covers the title, else "" so the Chinese title stands alone).
"""
from __future__ import annotations

import re
from functools import lru_cache

from policykg.qa.conditions import cn_number
from policykg.search.linking import legal_terms, modal_labels, render_words
from policykg.text import CN_DIGITS as CN_NUM

_FIG = re.compile(rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)\s*(万元|亿元|元|个月|年|月|周岁|周|日|天|小时|名|人|倍|岁|%|％|个工作日|工作日)")
_N = rf"(\d+(?:\.\d+)?|[{CN_NUM}]+)"
_U = r"(个月|年|月|周岁|周|日|天|小时|岁|元|万元|倍)"
_CASE_BOTH = re.compile(rf"(?:已?满)?{_N}\s*{_U}(?:以上|及以上)?(?:、|，)?(?:不满|未满|不足){_N}\s*{_U}")
_CASE_FROM = re.compile(rf"(?:已?满|累计满)?{_N}\s*{_U}(以上|及以上|或以上)|已?满{_N}\s*{_U}(?!以下|以内)")
_CASE_BELOW = re.compile(rf"(?:不满|未满|不足|少于|低于){_N}\s*{_U}")
_CASE_UPTO = re.compile(rf"{_N}\s*{_U}(以下|以内)")
_FUNCTION = {"由": "by", "向": "to", "自": "from", "从": "from", "与": "with", "或": "or", "和": "and", "及": "and",
             "并": "and", "但": "but", "对": "for", "在": "in", "为": "for", "按": "according to", "将": "",
             "把": "", "被": "", "其": "their", "该": "the", "此": "this", "每": "each", "有": "have"}
_PCT = re.compile(rf"百分之([{CN_NUM}\d]+)")
_UNIT_EN = {"工作日": "working day", "个工作日": "working day", "元": "yuan", "万元": "yuan", "亿元": "yuan", "个月": "month", "年": "year", "月": "month", "周": "week",
            "日": "day", "天": "day", "小时": "hour", "周岁": "years of age", "名": "person", "人": "person", "倍": "times", "岁": "years old"}
_KINDS = {"法": "Law", "条例": "Regulations", "规定": "Provisions", "办法": "Measures", "意见": "Opinions",
          "通知": "Notice", "决定": "Decision", "解释": "Interpretation", "实施细则": "Implementing Rules",
          "细则": "Detailed Rules", "规则": "Rules", "措施": "Measures", "方案": "Plan", "规划": "Plan"}
_PRC = "中华人民共和国"


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], int]:
    table = {zh: labels[0] for zh, labels in legal_terms().items() if labels}
    table.update(render_words())
    table.update(modal_labels())
    return table, max(map(len, table), default=1)


def figure_en(number: str, unit: str) -> str:
    n = cn_number(number)
    if n is None:
        return f"{number}{unit}"
    if unit == "万元":
        n *= 10_000
    elif unit == "亿元":
        n *= 100_000_000
    value = f"{n:,.0f}" if n == int(n) else f"{n:,.2f}"
    if unit in ("%", "％"):
        return f"{value}%"
    if unit == "倍" and n in (2, 3):
        return {2: "twice", 3: "three times"}[int(n)]
    word = _UNIT_EN.get(unit, unit)
    plural = word + "s" if n != 1 and word in ("month", "year", "week", "day", "hour", "working day") else word
    return f"{value} {plural}"


def _case_en(m: re.Match, how: str) -> str:
    g = [x for x in m.groups() if x]
    if how == "both":
        return f"{figure_en(g[0], g[1])} or more but less than {figure_en(g[2], g[3])}"
    if how == "below":
        return f"less than {figure_en(g[0], g[1])}"
    if how == "upto":
        return f"up to {figure_en(g[0], g[1])}"
    return f"{figure_en(g[0], g[1])} or more"


_SINCE = re.compile(r"自(.{1,24}?)之日起")
_CASES = ((_CASE_BOTH, "both"), (_CASE_FROM, "from"), (_CASE_BELOW, "below"), (_CASE_UPTO, "upto"))


_X = r"[^，,；;。、：:（）()]{1,20}?"
_NN = rf"(?:\d+(?:\.\d+)?|[{CN_NUM}]+)"
_FIGX = rf"(?P<fig>{_NN}\s*(?:个月|年|日|天|周|小时|个工作日|工作日))"
_PIECE_AFTER = ("或者", "以及", "并且")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_TO_VERBS = "支付|提出|申请|办理|报告|提起|报送|提交|投诉|举报|缴纳|发放|退还|返还|送达|告知|通报|发送"
_BUILD = [(name, re.compile(pattern)) for name, pattern in (
    ("date", rf"(?P<m>{_NN})月(?P<d>{_NN})日(?P<by>以前|前)?"),
    ("aged", rf"年满(?P<n>{_NN})周岁的(?P<y>[^，,；;。、的]{{1,10}})"),
    ("persons", rf"(?P<n>{_NN})名(?P<more>以上)?(?P<y>[^，,；;。、的\d]{{1,8}})"),
    ("place", rf"在(?P<x>[^，,；;。]{{1,30}}?)(?=发布|开展|从事|进行|设置|销售|使用|工作|居住|举办)"),
    ("because", rf"因(?P<x>[^，,；;。]{{1,30}}?)等?(?:情形|原因|理由)"),
    ("over_under", rf"超过(?P<a>{_NN}\s*(?:个月|年|日|天|周|小时))(?:以上)?(?:、|，)?(?:不满|未满|不足)(?P<b>{_NN}\s*(?:个月|年|日|天|周|小时))"),
    ("since", rf"自(?P<x>{_X})之日起{_FIGX}(?:以内|内)"),
    ("is_of", rf"(?P<x>[^，,；;。、：:为]{{1,20}}?)的(?P<y>[^，,；;。、：:的为]{{1,8}})为(?P<z>{_NN}\s*(?:个月|年|日|天|周|小时|倍|元|万元|%)[^，,；;。]*)"),
    ("is", rf"(?P<x>[^，,；;。、：:为的]{{1,12}})为(?P<z>{_NN}\s*(?:个月|年|日|天|周|小时|倍|元|万元|%)[^，,；;。]*)"),
    ("during", rf"在(?P<x>{_X})期间"),
    ("during_bare", rf"(?P<x>[^在，,；;。、：:（）()]{{1,20}}?)期间(?=[^为是])"),
    ("grade", rf"(?P<n>{_NN})级"),
    ("consent", rf"经(?P<x>{_X})同意"),
    ("after", rf"在(?P<x>[^在，,；;。、：:（）()]{{1,20}}?)后{_FIGX}(?:以内|内)"),
    ("within", rf"在(?P<x>{_X})(?:以内|内)"),
    ("after", rf"(?P<x>[^在，,；;。、：:（）()]{{1,20}}?)后{_FIGX}(?:以内|内)"),
    ("rate", rf"按照?(?P<x>{_X})的(?P<rate>百分之[{CN_NUM}\d]+|\d+(?:\.\d+)?%|{_NN}倍)(?P<verb>支付|计发|发给|发放|缴纳)"
             rf"(?P<y>[^，,；;。]+)"),
    ("pay_times", rf"向(?P<x>{_X})(?P<when>每月|每年|每日)?(?P<verb>支付|发放)(?P<n>{_NN})倍的(?P<y>[^，,；;。]+)"),
    ("times", rf"(?P<n>{_NN})倍的(?P<y>[^，,；;。、]+)"),
    ("worth", rf"{_FIGX}的(?:本人)?(?P<y>[^，,；;。、]+)"),
    ("on", rf"对(?P<x>{_X})(?P<verb>实施|进行)(?P<y>[^，,；;。]+)"),
    ("to", rf"向(?P<x>{_X})(?P<verb>{_TO_VERBS})(?P<y>[^，,；;。]*)"),
)]


def _the(words: str) -> str:
    return words if not words or words.startswith(("the ", "a ", "an ", "their ")) else f"the {words}"


def _starts_term(text: str, i: int) -> bool:
    table, longest = _table()
    return any(text[i:i + n] in table for n in range(min(longest, len(text) - i), 1, -1))


def _piece_start(text: str, i: int) -> bool:
    return i == 0 or text[i - 1] in "，,、；;：:" or text[max(0, i - 2):i] in _PIECE_AFTER or text[i - 1] in "或和及"


def _fig(m_text: str) -> str:
    f = _FIG.match(m_text)
    return figure_en(f.group(1), f.group(2)) if f else gloss(m_text)


def _constructions(text: str, i: int) -> tuple[str, int] | None:
    """Chinese constructions whose English word order differs (`分娩后一年内` → within 1 year after
    childbirth, `在怀孕期间` → during pregnancy, `按照日工资的300%支付报酬` → pay remuneration at 300% of the
    daily wage, `每月支付两倍的工资` → pay twice the wages each month, `13个月的本人工资` → 13 months' wages),
    as (English, end) or None."""
    for name, pattern in _BUILD:
        if name in ("during_bare", "after") and not _piece_start(text, i) and not text.startswith("在", i):
            continue
        m = pattern.match(text, i)
        if not m:
            continue
        g = m.groupdict()
        if name == "since":
            return f"within {_fig(g['fig'])} from the date of {gloss(g['x'])}", m.end()
        if name == "over_under":
            return f"more than {_fig(g['a'])} but less than {_fig(g['b'])}", m.end()
        if name == "date":
            mo, day = cn_number(g["m"]), cn_number(g["d"])
            if mo and day and 1 <= mo <= 12 and 1 <= day <= 31:
                month = _MONTHS[int(mo) - 1]
                return f"{'by ' if g['by'] else ''}{int(day)} {month}", m.end()
            continue
        if name == "aged" and gloss(g["y"]):
            return f"{gloss(g['y'])} aged {cn_number(g['n']):g} or over", m.end()
        if name == "persons" and gloss(g["y"]) and cn_number(g["n"]) is not None:
            more = " or more" if g["more"] else ""
            return f"{cn_number(g['n']):g}{more} {gloss(g['y'])}", m.end()
        if name == "place" and gloss(g["x"]):
            return f"{_ADVERBIAL}in {gloss(g['x'])}", m.end()
        if name == "because" and gloss(g["x"]):
            return f"because of {gloss(g['x'])}", m.end()
        if name == "grade":
            n = cn_number(g["n"])
            if n is not None:
                return f"grade {n:g}", m.end()
        if name in ("is_of", "is") and _piece_start(text, i) and gloss(g["x"]):
            x = gloss(g["x"])
            what = f"{gloss(g['y'])} of {x}" if name == "is_of" else x
            return f"{_the(what)} is {gloss(g['z'])}", m.end()
        if name == "consent":
            return f"with the consent of {_the(gloss(g['x']))}", m.end()
        if name == "within":
            return f"within {gloss(g['x'])}", m.end()
        if name in ("during", "during_bare"):
            return f"during {gloss(g['x'])}", m.end()
        if name == "after" and not _FIG.match(g["x"]):
            return f"within {_fig(g['fig'])} after {gloss(g['x'])}", m.end()
        if name == "rate":
            return f"{gloss(g['verb'])} {gloss(g['y'])} at {gloss(g['rate'])} of {gloss(g['x'])}", m.end()
        if name == "pay_times":
            when = f" {gloss(g['when'])}" if g["when"] else ""
            return f"{gloss(g['verb'])} {_the(gloss(g['x']))} {figure_en(g['n'], '倍')} the {gloss(g['y'])}{when}", m.end()
        if name == "times":
            return f"{figure_en(g['n'], '倍')} the {gloss(g['y'])}", m.end()
        if name == "worth" and g["fig"].rstrip().endswith(("个月", "年", "日", "天", "周")):
            head, noun = _fig(g["fig"]), gloss(g["y"])
            if noun and len(noun.split()) <= 3:
                return (f"{head}' {noun}" if head.endswith("s") else f"{head}'s {noun}"), m.end()
        if name == "to":
            prep = "with" if g["verb"] in ("办理", "申请", "投诉", "举报") else "to"
            return f"{gloss(g['verb'])} {gloss(g['y'])} {prep} {_the(gloss(g['x']))}".replace("  ", " "), m.end()
        if name == "on":
            return f"{gloss(g['verb'])} {gloss(g['y'])} on {_the(gloss(g['x']))}", m.end()
    return None


def _gloss(text: str) -> tuple[list[str], int]:
    """The English words of `text` in its order, and how many of its characters they render."""
    table, longest = _table()
    out: list[str] = []
    known = 0
    i = 0
    while i < len(text):
        built = _constructions(text, i)
        if built:
            out.append((_ADVERBIAL if built[0].startswith(("within ", "during ")) else "") + built[0])
            if out[-1].startswith(_ADVERBIAL + _ADVERBIAL):
                out[-1] = out[-1][1:]
            known += built[1] - i
            i = built[1]
            continue
        since = _SINCE.match(text, i)
        if since:
            inner = gloss(since.group(1))
            out.append(f"from the date of {inner}" if inner and not inner.startswith("the ") else f"from {inner or 'the date'}")
            known += since.end() - i
            i = since.end()
            continue
        case = next(((m, how) for pattern, how in _CASES if (m := pattern.match(text, i))), None)
        if case:
            out.append(_case_en(*case))
            known += case[0].end() - i
            i = case[0].end()
            continue
        m = _FIG.match(text, i)
        if m:
            within = text.startswith("内", m.end()) or text.startswith("以内", m.end())
            out.append(("within " if within else "") + figure_en(m.group(1), m.group(2)))
            end = m.end() + (0 if not within else 1 if text.startswith("内", m.end()) else 2)
            known += end - i
            i = end
            continue
        p = _PCT.match(text, i)
        if p:
            n = cn_number(p.group(1))
            out.append(f"{n:g}%" if n is not None else p.group(0))
            known += p.end() - i
            i = p.end()
            continue
        for n in range(min(longest, len(text) - i), 1, -1):
            word = table.get(text[i:i + n])
            if word:
                if text.startswith("的", i + n) and _PARTY_END.search(text[i:i + n]) and _starts_term(text, i + n + 1):
                    word, n = f"{word}'s", n + 1  # 教师的平均工资 → teacher's average wage
                out.append(word)
                known += n
                i += n
                break
        else:
            ch = text[i]
            if ch in "，；,;、":
                if ch == "、" and out:
                    out[-1] += ","
                elif out and not out[-1].endswith(","):
                    out[-1] += ","
                known += 1
            elif ch == "未" or ch == "不" and text[i + 1:i + 2] not in ("得", "能", "予"):
                out.append("not")
                known += 1
            elif ch in _FUNCTION:
                if _FUNCTION[ch]:
                    out.append(_FUNCTION[ch])
                known += 1
            elif ch in "的之等了。“”\"（）()《》:：" or ch.isspace():
                known += 1
            elif ch.isascii() and ch.isalnum():
                j = i
                while j < len(text) and text[j].isascii() and text[j].isalnum():
                    j += 1
                out.append(text[i:j])
                known += j - i
                i = j
                continue
            i += 1
    words = [w for k, w in enumerate(out) if k == 0 or w.rstrip(",") != out[k - 1].rstrip(",")]
    return words, known


def gloss(text: str, act: bool = False) -> str:
    """The sentence's known terms, modal words and figures in English, in the sentence's order;
    `act`: an act after its modal word, whose leading time phrase (`七日内退货`) goes after it
    (return goods within 7 days)."""
    words, _ = _gloss(text)
    if act:
        lead = 0
        while lead < len(words) and words[lead].startswith(_ADVERBIAL) and not words[lead].endswith(","):
            lead += 1
        if 0 < lead < len(words):
            words = words[lead:] + words[:lead]
    return " ".join(w.lstrip(_ADVERBIAL) for w in words).strip(" ,").replace(" ,", ",")


def coverage(text: str) -> float:
    """The share of a text's characters the vocabulary renders."""
    text = re.sub(r"\s+", "", text)
    return _gloss(text)[1] / len(text) if text else 0.0


_ITEM = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]\s*")
MIN_RENDERED = 0.6  # a comma-fragment the vocabulary renders less of is marked, not glossed word by word
UNRENDERED = "[…]"
_ADVERBIAL = "\x00"  # marks a time phrase in the glossed words
_COND = re.compile(r"(?:的|(?<![小同及])时)[，,]")  # 三小时， 同时， are no condition
_PARTY_END = re.compile(r"(?:单位|者|人|职工|员|机构|部门|组织|委员会|法院|机关|工会|中心|银行|政府|企业|公司|方|师|公民)$")
_PARTY_START = re.compile(r"^(?:by|to|from|with|in|for|according|each|the|this|their|not)\b")


def _modal_words() -> re.Pattern:
    from policykg.qa.yesno import MODAL

    return MODAL


def _render_fragment(text: str) -> str:
    """One comma-fragment: its party, modality and act (or its terms when it has no modal word)."""
    from policykg.qa.yesno import _kind

    m = _modal_words().search(text)
    if m is None:
        return gloss(text)
    raw = text[:m.start()]
    party = gloss(raw)
    kind = _kind(m.group(0))
    act = gloss(text[m.end():], act=True)
    if kind == "no" and not raw.strip() and m.group(0) in ("禁止", "严禁"):  # 禁止用人单位招用… (no party before)
        rest = text[m.end():]
        who = next((rest[:n] for n in range(min(12, len(rest)), 1, -1)
                    if rest[:n] in _table()[0] and _PARTY_END.search(rest[:n])), "")
        if who:
            return f"it is prohibited for {_the(gloss(who))} to {gloss(rest[len(who):])}".strip()
        return f"it is prohibited to {act}".strip()
    modal = {"no": modal_labels().get(m.group(0), "must not"), "must": "must", "may": "may",
             "neednot": "need not", "not": "does not"}[kind]
    if act.startswith(("not less than", "not more than", "less than", "more than", "lower than", "higher than",
                       "not lower than", "not higher than", "at least", "at most")):
        act = f"be {act}"
    if kind == "may" and m.group(0) in modal_labels():
        modal = modal_labels()[m.group(0)]
    if party and _PARTY_END.search(raw) and not _PARTY_START.match(party) and not party[0].isdigit():
        party = "the " + party
    return " ".join(x for x in (party, modal, act) if x)


def _render_clause(text: str) -> str:
    """A clause (between `；`): its conditions (`…的，` → "where …") and its fragments."""
    text = text.strip("，,。 ")
    where = ""
    marks = list(_COND.finditer(text))
    if marks:
        cond, text = text[:marks[-1].start() + 1].rstrip("的时"), text[marks[-1].end():]
        where = gloss(cond)
    frags = [_render_fragment(f) if coverage(f) >= MIN_RENDERED else UNRENDERED
             for f in re.split(r"[，,]", text) if f.strip()]
    main = ", ".join(f for f in frags if f)
    out = f"where {where}, {main}" if where and main else (main or where)
    return out.strip(" ,")


def render_sentence(text: str, clause: bool = False) -> str:
    """The sentence in readable English clauses (see the module docstring); `clause`: a fragment
    (a condition) rendered without a capital or a full stop."""
    text = _ITEM.sub("", text.strip()).rstrip("。；; ")
    parts = [p for p in re.split(r"[；;]", text) if p.strip()]
    rendered = [r for r in (_render_clause(p) for p in parts) if r]
    out = "; ".join(rendered).replace(" ,", ",")
    out = re.sub(r",(?=[^\s\d])", ", ", re.sub(r",+", ",", out))
    if not out.replace(UNRENDERED, "").strip(" ,;"):
        return ""  # nothing the vocabulary can render: the Chinese text stands alone
    if clause or not out:
        return out
    out = out[:1].upper() + out[1:]
    if UNRENDERED in out:
        out += f" ({UNRENDERED} = a part the vocabulary cannot render in English; see the Chinese text)"
    return out


def title_en(title: str) -> str:
    """A document's English title: the official one (legal.toml [titles]: `中华人民共和国劳动合同法`
    → `Labour Contract Law`), else a rendering of its terms when the vocabulary covers nearly all
    of it (`国务院关于职工工作时间的规定` → `State Council Provisions on employees working hours`),
    else "" (the Chinese title then stands alone)."""
    from policykg.search.linking import legal_titles

    bare = re.sub(r"[（(].*?[）)]", "", title).strip()
    titles = legal_titles()
    core = bare[len(_PRC):] if bare.startswith(_PRC) else bare
    if bare in titles or core in titles:
        return titles.get(bare) or titles[core]
    kind = next((k for k in sorted(_KINDS, key=len, reverse=True) if core.endswith(k)), "")
    body = core[: len(core) - len(kind)] if kind else core
    if coverage(body) < 0.85:
        return ""
    if "关于" in body:
        who, what = body.split("关于", 1)
        text = f"{gloss(who)} {_KINDS.get(kind, '')} on {gloss(what.rstrip('的'))}".strip()
    else:
        text = f"{gloss(body)} {_KINDS.get(kind, '')}".strip()
    text = re.sub(r"\s+", " ", text.replace(",", ""))
    return " ".join(w[:1].upper() + w[1:] if w not in ("on", "of", "and", "or") else w for w in text.split())


def article_en(number: int, paragraph: int | None = None, item: int | None = None) -> str:
    out = f"Article {number}"
    if paragraph:
        out += f", paragraph {paragraph}"
    if item:
        out += f", item {item}"
    return out
