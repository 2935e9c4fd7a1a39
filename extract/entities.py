"""Entities in clause text: talent categories, honors, agencies, industries, programs.

A spaCy pipeline over the jieba-segmented text (`spacy.blank("zh")` with the jieba segmenter):

1. ``policykg_spans`` finds candidate spans at the character level — every name of the SKOS
   vocabulary, plus rules for names the vocabulary does not list (a quoted “…工匠”, an agency
   ending in 局/部门/办公室, "X、Y等部门", a tier "C类…人才", a programme ending in 平台/基地/工作室,
   "A、B等重点产业") — resolves overlaps (longest wins, the vocabulary wins a tie) and retokenises
   the doc so that each span is one token (jieba's words need not match the names);
2. an ``entity_ruler`` fed from the vocabulary labels those tokens with their kind and concept IRI;
3. ``policykg_rules`` adds the rule-found spans the ruler does not know, with a minted IRI.
"""
from __future__ import annotations

import re
from bisect import bisect_right, insort
from dataclasses import dataclass
from functools import cached_property, lru_cache

from policykg.extract.vocab import Term, Vocabulary
from policykg.ontology import minted_concept_iri



@dataclass
class Entity:
    start: int
    end: int
    label: str  # the name as written
    kind: str
    concept: str  # concept IRI (the vocabulary's, or minted)
    tier: bool = False
    broader: str = ""  # a vocabulary concept a minted one narrows (市财政局 → 财政部门)
    in_vocab: bool = True


@dataclass
class _Cand:
    start: int
    end: int
    kind: str
    term: Term | None  # None: found by rule
    name: str = ""  # the entity's name when it differs from the text (教育、工会等部门 → 教育部门)

    @property
    def length(self) -> int:
        return self.end - self.start


# --- rules -----------------------------------------------------------------------------
HONOR_SUFFIX = ("终身成就奖", "工匠", "标兵", "能手", "奖章", "红旗手", "模范", "先进工作者", "名匠", "之星", "称号", "奖")
PROGRAM_SUFFIX = ("工作室", "平台", "基地", "计划", "工程", "行动", "试验区", "园区")
AGENCY_SUFFIX = ("人民政府", "领导小组", "委员会", "管委会", "办公室", "总工会", "部门", "街道", "街镇", "乡镇", "局", "厅")
TALENT_SUFFIX = ("人才",)
INDUSTRY_SUFFIX = ("制造业", "服务业", "产业")
_TIER = re.compile(r"(?:[A-Ea-eＡ-Ｅ]|[一二三四五六七八九十]|\d)类[\u4e00-\u9fff]{0,4}?人才")
_QUOTED = re.compile(r"[“\"「『]([^”“\"」『』，。；]{2,16})[”\"」』]")
_TITLE_AFTER = ("称号", "荣誉", "奖项", "表彰")
_ENUM_AGENCY = re.compile(r"((?:[\u4e00-\u9fff]{1,12}、)+[\u4e00-\u9fff]{1,12})等部门")
_ENUM_INDUSTRY = re.compile(
    r"((?:[^，。；、：]{2,16}、)+[^，。；、：]{2,16}?)等(?:重点|新兴|战略性新兴|先导|支柱|优势|特色|主导)?(?:产业|行业)")
_LEAD = re.compile(r"^(?:聚焦|围绕|重点发展|大力发展|发展|面向|瞄准|推动|培育|支持|由|会同|对|经|请|和|与|及|在|将)+")
_BY_AGENCY = re.compile(
    r"由([\u4e00-\u9fff]{1,10}?(?:财政|人社|人才办|委|局|办|部|厅|政府|部门|中心|管委会|工会|街道|镇|乡))"
    r"(?=负责|统一|统筹|会同|按|列支|拨付|承担|发放|审核|兑现|给予|认定|组织|牵头|安排|予以|核发|办理|解释)")
_LEAD_AGENCY = re.compile(r"^(?:由|会同|对|经|请|和|与|及|在|将|组织|协调)+")
_ADMIN_TOKENS = frozenset("市 区 县 省 镇 乡 州 市级 区级 县级 省级 市委 区委 县委 省委".split())
_STRIP = re.compile(r"^(?:各级|各|有关|相关|其他|其它|该|本级)")
# words a name does not extend over to its left
STOP = frozenset(
    "由 对 会 同 和 与 及 或 等 的 各 经 在 向 从 被 将 把 并 为 是 有 以 于 按 按照 给予 获得 获评 评选 授予 荣获 建立 成立 "
    "设立 建设 推进 实施 依托 加强 打造 支持 鼓励 认定 开展 举办 组织 创建 培育 完善 健全 发挥 推动 申报 入选 参加 参与 "
    "推荐 负责 列支 承担 做好 加大 提高 落实 统筹 牵头 协调 指导 通过 利用 引导 要 应 可 应当 必须 会同 优先 积极 "
    "大力 进一步 新增 选树 开发 探索 构建 形成 培养 引进 申领 享受 纳入 入住 以及 其 及其 经认定 符合 条件 "
    "新建 新设 新引进 新认定 获批 评为 被评为 首次".split())
GENERIC = frozenset(
    "平台 基地 工作室 计划 工程 行动 园区 部门 局 厅 政府 奖 称号 产业 行业 年度计划 重点产业 相关产业 培养平台 "
    "有关部门 相关部门 各部门 主管部门 职能部门 工匠 标兵 能手 模范 重点 新兴产业 特色产业 主导产业 服务业 制造业 "
    "办公室 委员会 领导小组 职业 地方特色产业 重大工程 重点工程 考核评价 技能行动 党管人才 各类人才 相关人才 "
    "优秀人才 新时代人才 本土人才 各类优秀人才".split())
_GLUED = ("会同", "由", "对", "经", "向", "在", "将", "和", "与", "及")
NOUNISH = ("n", "a", "b", "j", "l", "nz", "nt", "ns", "nr", "ng", "vn", "an", "eng")
NOT_AGENCY = frozenset("格局 布局 大局 全局 结局 当局 时局 政局 开局 残局 定局 局面 局部 邮局 书局 对局 棋局 终局".split())
_ADMIN_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{0,3}?[市区县省镇乡州]|[市区县省]级|国家级|全国|国家|中央)$")
_NOT_PLACE = re.compile(r"本|全|服务|发展|推动|促进|支持")
_NOT_AFTER = ("精神", "文化")
_NOT_AFTER_TALENT = frozenset(
    "强国 高地 队伍 工作 战略 培养 引进 政策 服务 评价 制度 体系 机制 项目 计划 资助 补贴 发展 建设 目录 公寓 市场 "
    "结构 数量 规模 流动 储备 集聚 交流 招聘 认定 分类 标准 梯队 库 奖励 安居 住房 创新 创业".split())


@lru_cache(maxsize=1)
def _pos_tokenizer():
    """A jieba part-of-speech tagger with its own dictionary: words other parts of policykg add to
    the global jieba (the search index does) must not change what extraction finds."""
    import logging

    import jieba
    import jieba.posseg as pseg

    jieba.setLogLevel(logging.WARNING)  # no "Building prefix dict…" chatter on standard error
    return pseg.POSTokenizer(jieba.Tokenizer())


class Tokens(tuple):
    """jieba's words as (start, end, word, flag), with lookups by character offset in O(log n),
    so that extraction stays linear in the length of a text."""

    @cached_property
    def _starts(self) -> list[int]:
        return [t[0] for t in self]

    @cached_property
    def _ends(self) -> dict[int, int]:
        return {t[1]: i for i, t in enumerate(self)}

    def at(self, pos: int) -> int | None:
        """The index of the token that holds character `pos`, or None."""
        k = bisect_right(self._starts, pos) - 1
        return k if k >= 0 and self[k][0] <= pos < self[k][1] else None

    def ending_at(self, pos: int) -> tuple[int, int, str, str] | None:
        """The token that ends right before character `pos`, or None."""
        k = self._ends.get(pos)
        return None if k is None else self[k]


@lru_cache(maxsize=64)
def pos_tokens(text: str) -> Tokens:
    """jieba's words with their part of speech and character offsets."""
    out, pos = [], 0
    for pair in _pos_tokenizer().cut(text):
        out.append((pos, pos + len(pair.word), pair.word, pair.flag))
        pos += len(pair.word)
    return Tokens(out)


def _extend_left(text: str, tokens: Tokens, start: int, max_len: int,
                 verbs: bool = False) -> int:
    """How far left of `start` a name reaches: over noun-like tokens, never over a stop word."""
    k = tokens.at(start)
    if k is None:
        return start
    begin = tokens[k][0]
    if begin < start and (tokens[k][2][: start - begin] in STOP or re.search(r"[^\u4e00-\u9fffA-Za-z]",
                                                                           tokens[k][2][: start - begin])):
        begin = start
    j = k - 1
    while j >= 0:
        s, e, word, flag = tokens[j]
        glued = next((w for w in _GLUED if word.startswith(w) and len(word) > len(w)
                      and (len(w) > 1 or flag == "ns")), None)
        if glued is not None:  # 会同县 → 县
            begin = s + len(glued)
            break
        if word in STOP or re.search(r"[^\u4e00-\u9fffA-Za-z]", word):
            break
        if not (flag.startswith(NOUNISH) or (verbs and flag == "v")):
            break
        if begin - s + (start - begin) > max_len:
            break
        begin = s
        j -= 1
    # a name never starts with a stop word glued to it (各街道 → 街道)
    return begin


def _rule_candidates(text: str, tokens) -> list[_Cand]:
    out: list[_Cand] = []
    for m in _TIER.finditer(text):
        out.append(_Cand(m.start(), m.end(), "TalentCategory", None))
    for m in _QUOTED.finditer(text):
        inner = m.group(1)
        if inner.endswith(HONOR_SUFFIX) or text.startswith(_TITLE_AFTER, m.end()):
            out.append(_Cand(m.start(1), m.end(1), "Honor", None))
        elif inner.endswith(PROGRAM_SUFFIX):
            out.append(_Cand(m.start(1), m.end(1), "Program", None))
    for kind, suffixes, max_len in (("Agency", AGENCY_SUFFIX, 14), ("Program", PROGRAM_SUFFIX, 12),
                                    ("Honor", HONOR_SUFFIX[:6], 8), ("Industry", INDUSTRY_SUFFIX, 10),
                                    ("TalentCategory", TALENT_SUFFIX, 8)):
        pattern = re.compile("|".join(map(re.escape, suffixes)))
        for m in pattern.finditer(text):
            k = tokens.at(m.end() - 1)
            token = tokens[k] if k is not None else None
            if token is None or token[1] != m.end() or token[2] in NOT_AGENCY:
                continue  # the suffix must end a word: 实行动态 has no 行动, 格局 is no agency
            if kind == "TalentCategory" and text[m.end():m.end() + 2] in _NOT_AFTER_TALENT:
                continue  # 人才强国, 人才高地, 人才队伍 … are not categories of talent
            begin = _extend_left(text, tokens, m.start(), max_len, verbs=kind == "Honor")
            if begin < m.start():
                out.append(_Cand(begin, m.end(), kind, None))
    for m in _BY_AGENCY.finditer(text):
        out.append(_Cand(m.start(1), m.end(1), "Agency", None))
    for m in _ENUM_AGENCY.finditer(text):
        pos = m.start(1)
        for part in m.group(1).split("、"):
            lead = _LEAD_AGENCY.match(part)
            s = pos + (lead.end() if lead else 0)
            e = pos + len(part)
            if e - s >= 2:
                whole = text[s:e]
                name = whole if whole.endswith(AGENCY_SUFFIX) or whole in ("工会", "共青团", "妇联") else whole + "部门"
                out.append(_Cand(s, e, "Agency", None, name))
            pos += len(part) + 1
    for m in _ENUM_INDUSTRY.finditer(text):
        pos = m.start(1)
        for part in m.group(1).split("、"):
            lead = _LEAD.match(part)
            s = pos + (lead.end() if lead else 0)
            e = pos + len(part)
            if e - s >= 2:
                out.append(_Cand(s, e, "Industry", None))
            pos += len(part) + 1
    return out


def _vocab_regex(vocab: Vocabulary) -> re.Pattern | None:
    names = sorted(vocab.terms, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names))) if names else None


def _resolve(text: str, vocab: Vocabulary, cands: list[_Cand]) -> list[_Cand]:
    """Non-overlapping spans: longest first, the vocabulary winning a tie."""
    cands = sorted(cands, key=lambda c: (-c.length, c.term is None, c.start))
    taken: list[_Cand] = []
    spans: list[tuple[int, int]] = []  # the taken spans, sorted (they never overlap)
    for c in cands:
        k = bisect_right(spans, (c.start, c.end))
        if (k > 0 and spans[k - 1][1] > c.start) or (k < len(spans) and spans[k][0] < c.end):
            continue
        if text[c.end:c.end + 2] in _NOT_AFTER:
            continue
        taken.append(c)
        insort(spans, (c.start, c.end))
    return sorted(taken, key=lambda c: c.start)


def candidate_spans(text: str, vocab: Vocabulary) -> list[_Cand]:
    regex = _vocab_regex(vocab)
    cands: list[_Cand] = []
    if regex is not None:
        for m in regex.finditer(text):
            term = vocab.terms[m.group(0)]
            cands.append(_Cand(m.start(), m.end(), term.kind, term))
    tokens = pos_tokens(text)
    for c in _rule_candidates(text, tokens):
        label = c.name or text[c.start:c.end]
        strip = _STRIP.match(label)
        if strip and not c.name:
            c = _Cand(c.start + strip.end(), c.end, c.kind, None)
            label = text[c.start:c.end]
        if label in vocab.terms:
            term = vocab.terms[label]
            c = _Cand(c.start, c.end, term.kind, term, c.name)
        elif label in GENERIC or len(label) < 2:
            continue
        else:
            inner = next((label[i:] for i in range(1, len(label) - 1) if label[i:] in vocab.terms), None)
            prefix = label[: len(label) - len(inner)] if inner else ""
            if inner is not None and (not _ADMIN_PREFIX.match(prefix) or _NOT_PLACE.search(prefix)):
                continue  # 同行业主管部门: the vocabulary's 行业主管部门 stands
        cands.append(c)
    return [_local_agency(text, tokens, c) for c in _resolve(text, vocab, cands)]


def _local_agency(text: str, tokens, cand: _Cand) -> _Cand:
    """A vocabulary agency right after a level or a place (区 + 人力资源和社会保障局, 临海市 + 财政局)
    is that local agency: the span takes the prefix in and becomes a name of its own."""
    if cand.kind != "Agency" or cand.term is None or cand.name:
        return cand
    prev = tokens.ending_at(cand.start)
    if prev is None:
        return cand
    word, flag = prev[2], prev[3]
    if word in _ADMIN_TOKENS or (flag == "ns" and word[-1] in "市区县省镇乡州" and len(word) <= 5
                                 and word[:-1] not in STOP and word[:-2] not in STOP):
        return _Cand(prev[0], cand.end, "Agency", None)
    if word[-1] in "市区县省镇乡" and (word[:-1] in STOP or word[:-1] in ("会同", "同")):
        return _Cand(prev[1] - 1, cand.end, "Agency", None)  # 会同县 + 财政局 → 县财政局
    return cand


# --- the spaCy pipeline -------------------------------------------------------------------
def _align(doc, spans: list[tuple[int, int]]):
    """A doc with the same text whose tokens are cut and merged so that each (start, end) character
    span is exactly one token. One pass over the tokens (linear in the text's length; spaCy's
    retokenizer is linear per call, so a call per boundary was quadratic)."""
    from spacy.tokens import Doc

    cuts = sorted({b for s, e in spans for b in (s, e)})
    pieces: list[tuple[int, int, bool]] = []  # (start, end, followed by a space)
    k = 0
    for token in doc:
        start, end = token.idx, token.idx + len(token.text)
        while k < len(cuts) and cuts[k] <= start:
            k += 1
        pos = start
        while k < len(cuts) and cuts[k] < end:
            pieces.append((pos, cuts[k], False))
            pos = cuts[k]
            k += 1
        pieces.append((pos, end, bool(token.whitespace_)))
    first = {p[0]: i for i, p in enumerate(pieces)}
    last = {p[1]: i for i, p in enumerate(pieces)}
    merge: dict[int, int] = {}
    for s, e in spans:
        i, j = first.get(s), last.get(e)
        if i is not None and j is not None and j > i:
            merge[i] = j
    text = doc.text  # a property that joins every token: read it once
    words, spaces = [], []
    i = 0
    while i < len(pieces):
        j = merge.get(i, i)
        words.append(text[pieces[i][0]:pieces[j][1]])
        spaces.append(pieces[j][2])
        i = j + 1
    aligned = Doc(doc.vocab, words=words, spaces=spaces)
    aligned.user_data.update(doc.user_data)
    return aligned


@lru_cache(maxsize=4)
def pipeline(vocab: Vocabulary):
    """The spaCy pipeline for one vocabulary (built once)."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Span

    _pos_tokenizer()  # quiets jieba before spaCy's segmenter loads it
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    name_spans = f"policykg_spans_{id(vocab)}"
    name_rules = f"policykg_rules_{id(vocab)}"

    @Language.component(name_spans)
    def spans_component(doc):
        cands = candidate_spans(doc.text, vocab)
        doc = _align(doc, [(c.start, c.end) for c in cands])
        doc.user_data["policykg_cands"] = cands
        return doc

    @Language.component(name_rules)
    def rules_component(doc):
        ents = list(doc.ents)
        covered = {(e.start_char, e.end_char) for e in ents}
        for c in doc.user_data.get("policykg_cands", []):
            if (c.start, c.end) in covered:
                continue
            span = doc.char_span(c.start, c.end)
            if span is None:
                continue
            iri = c.term.concept if c.term else minted_concept_iri(c.kind, c.name or span.text)
            ents.append(Span(doc, span.start, span.end, label=c.kind, kb_id=iri))
        doc.ents = sorted(ents, key=lambda e: e.start)
        return doc

    nlp.add_pipe(name_spans)
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": None})
    ruler.add_patterns([{"label": t.kind, "pattern": [{"ORTH": name}], "id": t.concept}
                        for name, t in vocab.terms.items()])
    nlp.add_pipe(name_rules)
    return nlp


def find_entities(text: str, vocab: Vocabulary) -> list[Entity]:
    """The entities of one clause text, in order."""
    if not text.strip():
        return []
    try:
        doc = pipeline(vocab)(text)
        ents = [(e.start_char, e.end_char, e.text, e.label_, e.ent_id_ or e.kb_id_) for e in doc.ents]
        cands = {(c.start, c.end): c for c in doc.user_data.get("policykg_cands", [])}
    except ValueError:  # a retokenisation spaCy refuses: the character spans stand on their own
        found = candidate_spans(text, vocab)
        cands = {(c.start, c.end): c for c in found}
        ents = [(c.start, c.end, text[c.start:c.end], c.kind, "") for c in found]
    out: list[Entity] = []
    for start, end, surface, kind, iri in ents:
        ent = _Ent(start, end, surface, kind, iri)
        cand = cands.get((ent.start_char, ent.end_char))
        term = cand.term if cand else vocab.terms.get(ent.text)
        name = (cand.name if cand else "") or ent.text
        iri = (term.concept if term else "") or ent.iri or minted_concept_iri(ent.label_, name)
        tier = term.tier if term else (ent.label_ == "TalentCategory" and bool(_TIER.fullmatch(name)))
        broader = ""
        if term is None:
            broader = _broader(name, ent.label_, vocab)
        out.append(Entity(ent.start_char, ent.end_char, name, ent.label_, iri, tier, broader, term is not None))
    return out


@dataclass
class _Ent:
    start_char: int
    end_char: int
    text: str
    label_: str
    iri: str


def _broader(label: str, kind: str, vocab: Vocabulary) -> str:
    """The vocabulary concept a minted name narrows: the longest vocabulary name it ends with,
    or, for a tier "C类…人才", the generic tier "C类人才"."""
    m = re.match(r"([A-Ea-eＡ-Ｅ]|[一二三四五六七八九十]|\d)类", label)
    if kind == "TalentCategory" and m and f"{m.group(1).upper()}类人才" in vocab.terms:
        return vocab.terms[f"{m.group(1).upper()}类人才"].concept
    for i in range(1, len(label) - 1):
        term = vocab.terms.get(label[i:])
        if term is not None and term.kind == kind:
            return term.concept
    for i in range(len(label) - 1, 1, -1):  # 汽车“新四化” → 汽车
        term = vocab.terms.get(label[:i])
        if term is not None and term.kind == kind and kind == "Industry":
            return term.concept
    return ""
