"""Yes/no questions: a verdict only when the answering sentence states it for the act asked.

A sentence is cut into modal scopes: each modal word (不得, 禁止, 应当, 可以 …) governs the text up
to the next modal word (`不得扣押…证件，` | `不得要求…收取财物`). A plain negation of the act
(`职工不缴纳…`, `…不收费`, `不计入…`) and `无需`/`不必` (need not) are scopes too. The scope that
holds most of the question's content decides:

| the scope says | "may/can …?" | "must/need …?" | "is/does …?" | "may … not …?" |
| --- | --- | --- | --- | --- |
| prohibition (不得) | No | No (prohibited) | No | — |
| plain negation (不缴纳) | No | No (not required) | No | — |
| need not (无需, 可以不) | Yes | No (not required) | — | Yes |
| duty (应当) | Yes | Yes | Yes | No |
| permission (可以) | Yes | permitted, not required | Yes | — |

A question naming a quantity ("two accounts?") is not decided by a sentence stating none. A
list's lead-in (`有下列情形之一的，…可以…：`) and an item that is a case (`（六）…的其他情形`) give no
verdict: what they grant depends on the list. A scope under a condition the question
does not state (`…不满三个月的，不得约定试用期` for "can a
contract include a probation period?") ranks below one that holds without it, and its verdict
names the condition. When the sentence does not hold the question's content or no scope holds
the act, there is no verdict (the answer abstains and quotes the sentence).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NO = ("不得", "禁止", "严禁", "不能", "不予", "不准", "无权", "不可以", "不可", "不允许", "不应当", "不应", "不许")
MUST = ("应当", "必须", "应予", "有义务")
MAY = ("可以", "有权", "允许", "准予", "支持", "鼓励")  # policy texts permit by supporting
NEED_NOT = ("无需", "无须", "不需要", "不必", "可以不", "可不")
_BARE_MAY = r"(?<![许认不宁无])可(?![以能见靠行观持续不])"  # `可申请` (a bare 可 before a verb)
# a plain negation of an act (`不缴纳`, `不收费`, `不计入`), not a limit (`不超过`, `不满`) or a modal
_NOT = (r"(?<![得能予准可许应必需要无])不(?!得|能|予|准|可|允许|应|许|需|必|超过|低于|少于|高于|满|足|到|同|一致"
        r"|再|特定|定期|良|利|当|正当|明|确定|断|仅)(?=[\u4e00-\u9fff])")
MODAL = re.compile("|".join(sorted(NEED_NOT + NO + MUST + MAY, key=len, reverse=True)) + "|" + _BARE_MAY + "|" + _NOT)
MIN_SCOPE = 0.2  # share of the question's content weight the deciding scope must hold
MIN_SENTENCE = 0.75  # … and the whole sentence
MIN_SENTENCE_NO = 0.6  # … for a prohibition (it forbids the act however the question qualifies it), when
# every word the sentence lacks is one the texts use (a word no text uses may be the act itself: `卖烟`)
UNKNOWN = 0.5  # weight of a question word nothing links, as a share of an average linked term
CONDITIONAL = 0.15  # rank penalty of a scope under a condition the question does not state
EXCEPT = re.compile(r"除.{1,80}?(?:外|以外)")
_ASK_WORDS = {"能否", "是否", "可否", "能不能", "可不可以", "需要", "必须", "应该", "允许"}

_ASK_MUST_ZH = re.compile(r"必须|应当|应该|需要|需不需要|要不要|是否要|有义务|要交|要缴|得交")
_ASK_MUST_EN = re.compile(r"\b(must|have to|has to|need to|needs to|required|obliged|should)\b")
_ASK_MAY_ZH = re.compile(r"可以|能|可否|允许|准许|有权")
_ASK_MAY_EN = re.compile(r"^\s*(can|may|could)\b|\b(allowed|permitted|entitled)\b")
_ASK_NOT_ZH = re.compile(r"(可以|能|可|允许|能否|是否可以)不|不用|不必|无需|不需要")
_ASK_NOT_EN = re.compile(r"\b(not|n't|without)\b")
_COND = re.compile(r"的[，,]")  # a case (`…不满三个月的，`), not a time (`录用…时，`)
_CJK = re.compile(r"[\u4e00-\u9fff]")
# a question that names a quantity ("two accounts?") is decided only by a sentence stating it
_EN_VALUES = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
              "ten": 10, "eleven": 11, "twelve": 12, "twice": 2, "double": 2, "triple": 3}
_NUMERAL = re.compile(r"\d+(?:\.\d+)?|[一两二三四五六七八九十百千]+(?=\s*(?:个|名|家|次|倍|年|月|天|日|小时|周|岁|元|万))")
_ONLY = re.compile(r"只能|唯一|仅限|不得超过|至多|最多")


def _values(text: str) -> set[float]:
    from policykg.text import parse_number

    out = {float(v) for m in _NUMERAL.finditer(text) if (v := parse_number(m.group(0))) is not None}
    out |= {float(_EN_VALUES[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in _EN_VALUES}
    return out


# `有下列情形之一的，…可以…：` (a lead-in: what it grants depends on the items) and an item that is
# a case (`（六）法律规定劳动者可以解除劳动合同的其他情形`), not a rule
_LIST_LEAD = re.compile(r"(?:下列|以下|如下)[^，,。]{0,12}(?:之一)?的?[，,].*[：:]\s*$|(?:下列|以下)[^，,。]{0,8}之一的")
_LIST_CASE = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)].*(?:的|情形|情况)[；;。]?\s*$")
# a lead-in whose items are exceptions to its rule (`…不承担民事责任，但是有下列情形之一的除外：`,
# `除下列情形外，…不得…：`): in an item's case the rule does not hold, and the text does not say what does
_LIST_EXCEPT = re.compile(r"(?:下列|以下)[^，,。：:]{0,12}(?:之一)?的?(?:除外|以外)\s*[：:]|除(?:有)?(?:下列|以下)[^，,。]{0,12}(?:外|以外)")
# a rule whose exceptions are listed after it (`投保人不得解除…合同，但有下列情形之一的除外：`): the rule
# decides, with the note that the listed cases are excepted
_RULE_EXCEPT = re.compile(r"[，,]\s*(?:但|但是)?(?:有)?(?:下列|以下)[^，,。：:]{0,12}(?:之一)?的?(?:除外|以外)\s*[：:]\s*$")
# the word a Chinese question asks with (`保管人可以使用…吗` → 可以): the act asked follows it
_ASK_AT = re.compile(r"可不可以|可以|能否|能不能|能够|是否|可否|允许|有权|必须|应当|应该|需不需要|需要|要不要|有义务"
                     r"|(?<![可功职技智效])能(?![力源量])|(?<![委协社机学工议大公商都员])会(?![议计员同])"
                     r"|(?<![许认不宁无])可(?![以能见靠行观持续不否])|(?<![需只主重不想还就])要(?![求素件点闻])")


# parties a duty or a permission falls on, by kind (a verdict for one is no verdict for another)
_PARTIES = {"employer": ("用人单位", "用工单位", "雇主", "企业", "单位", "公司", "老板"), "worker": ("劳动者", "职工", "员工", "农民工", "女职工"),
            "seller": ("经营者", "销售者", "商家"), "consumer": ("消费者",), "driver": ("驾驶人",)}


# an authority a scope may bind (`人民法院可以要求…` does not answer "may I …?")
_AUTHORITY = ("人民法院", "法院", "人民检察院", "检察院", "仲裁委员会", "仲裁庭", "人民政府", "部门", "机关")
# a party a scope binds or a question names (`旅游者可以…` does not answer "may the travel agency …?")
_PARTY_NOUN = re.compile(r"[\u4e00-\u9fff]{0,4}?(?:经营者|劳动者|消费者|旅游者|生产者|销售者|使用者|管理者|当事人|投保人"
                         r"|保险人|出租人|承租人|债权人|债务人|保证人|继承人|出借人|借款人|代理人|委托人|受托人|出卖人"
                         r"|买受人|定作人|承揽人|保管人|存货人|寄存人|承包方|发包方|业主|单位|企业|公司|机关|部门|委员会"
                         r"|法院|检察院|政府|机构)")
# the question's words nothing links (`子女需要为父母还钱吗` → 为还钱): filler runs that carry no content
_FILLER = re.compile(r"[的了吗呢吧啊么？?，,。！!、/\s]|这样|一下|请问|我们|他们|自己|还是|或者|以及|如果|因为|所以|但是|一定")
_ADVERBIAL = re.compile(r"^(?:经|与|在|对|由|向|按|根据|依照|依据|因|除|自|从|为|以|将|把|当)")


def _party_nouns(text: str) -> set[str]:
    return {m.group(0) for m in _PARTY_NOUN.finditer(text) if len(m.group(0)) >= 2}


def _other_party(subject: str, question: str, asked_parties: set[str]) -> bool:
    """Does the scope's subject name a party other than every party the question names?"""
    from policykg.qa.focus import synonyms

    nouns = _party_nouns(subject)
    named = _party_nouns(question)
    if not nouns or not named or _parties(subject) & asked_parties:
        return False
    ask = _ASK_AT.search(question)
    own = _party_nouns(question[:ask.start()]) if ask else set()  # the question's subject: `承租人需要赔偿出租人…`
    if own:
        return not any(q in noun or noun in q or q in synonyms().get(noun, ()) for noun in nouns for q in own)
    for noun in nouns:
        near = {noun, *synonyms().get(noun, ())}
        if any(n in question for n in near) or any(q in noun or noun in q for q in named):
            return False
    return True


def _equivalents(groups: list[list[str]], question: str) -> list[list[str]]:
    """The groups without an everyday word's merely related statute words (lay_lexicon.toml `~`):
    a verdict needs the act itself (`口头` → 口头形式, not 书面形式, which helps retrieval only)."""
    from policykg.search.layperson import related_only

    asked = question.lower()
    related = {v for key, terms in related_only().items() if key.lower() in asked for v in terms}
    return [[t for t in g if t == g[0] or t not in related] for g in groups]


def _holds(text: str, term: str) -> bool:
    """Does the text hold the term as a word of its own, not inside a party's name (申请 in 申请人)?"""
    return any(not text.startswith(("人", "者", "方"), m.end()) for m in re.finditer(re.escape(term), text))


def unlinked_zh(question: str, groups: list[list[str]], about: str = "") -> int:
    """How many runs of the question's own words no term holds and `about` (the sentence read) does
    not hold either (`还钱` when the vocabulary lacks it)."""
    rest = question.lower()
    for t in sorted({t for g in groups for t in g} | _ASK_WORDS, key=len, reverse=True):
        rest = rest.replace(t, " ")
    rest = _ASK_AT.sub(" ", rest)
    rest = _PARTY_NOUN.sub(" ", rest)  # parties are weighed by the party rules, not as content
    for words in _PARTIES.values():
        for w in words:
            rest = rest.replace(w, " ")
    runs = [run for run in _FILLER.sub(" ", rest).split() if len(run) >= 2]
    return sum(1 for run in runs if not any(_holds(about, run[i:i + 2]) for i in range(len(run) - 1)))


def _parties(text: str) -> set[str]:
    found = set()
    for kind, words in _PARTIES.items():
        if any(w in text for w in words):
            found.add(kind)
    if "worker" in found and "employer" in found and not any(w in text for w in ("用人单位", "用工单位", "雇主", "企业")):
        found.discard("employer")  # `职工所在单位` names the worker
    return found


@dataclass
class Verdict:
    kind: str  # "no", "not", "neednot", "must", "may" or "" (no modal scope holds the act)
    word: str  # the modal word
    scope: str  # the text it governs
    coverage: float
    answer: str  # "yes", "no", "permitted" (may, not must) or "" (no verdict)
    ask: str = "plain"  # what the question asks: "may", "must", "not" or "plain"
    condition: str = ""  # the condition the scope holds under, when the question does not state it
    excepted: bool = False  # the rule holds but for cases its list names

    @property
    def rank(self) -> float:
        return self.coverage - (CONDITIONAL if self.condition else 0.0)


_TURN = re.compile(r"拒绝|拒不|放弃|撤回|撤销|免除|免予")  # an act that turns the act asked about around
_FIGURE_TERM = re.compile(r"[\d一二两三四五六七八九十百]+(?:周岁|岁|年|个月|日|天|小时)")


def _case_fit(question: str, sentence: str) -> int:
    """1: a Chinese question's figure (`十五岁`) lies in a case the sentence states (`未满十六周岁`); -1: the
    sentence states cases of that kind and none holds it; 0: no such figure or case."""
    from policykg.qa.conditions import question_ranges, ranges

    asked = question_ranges(question) if question else []
    stated = ranges(sentence)
    verdict = 0
    for q in asked:
        same = [r for r in stated if r[0] == q[0]]
        if not same:
            continue
        if any(r[1] <= q[1] and (r[2] is None or (q[2] is not None and q[2] <= r[2])) for r in same):
            return 1
        verdict = -1
    return verdict


_MODAL_ASK = re.compile(r"(?:可以|能够|能否|可否|允许|准许|需要|必须|应当|应该|有权|能|可|要|得)(?:不)?$")
_NOT_VERBS = set("把让给被受遭挨在对向用以从于和与跟替为将按由到去来就再都也还又先是")


def _bare_verb(question: str) -> str:
    """The one-character act right after a question's modal word (`可以看…`, `能搜…`), or ""."""
    import jieba

    tokens = jieba.lcut(question)
    for i, tok in enumerate(tokens[:-1]):
        if _MODAL_ASK.search(tok) or tok == "不" and i and _MODAL_ASK.search(tokens[i - 1]):
            nxt = tokens[i + 1]
            if nxt == "不":
                continue
            if len(nxt) == 1 and _CJK.match(nxt) and nxt not in _NOT_VERBS:
                return nxt
            return ""
    return ""


def _kind(word: str) -> str:
    if word in NEED_NOT:
        return "neednot"
    if word in NO:
        return "no"
    if word in MUST:
        return "must"
    if word == "不":
        return "not"
    return "may"


_SEP = re.compile(r"[，,；;：:。]")


def scopes(sentence: str) -> list[tuple[str, str, int, str]]:
    """(modal word, governed text, start, own fragment) in order. A modal word governs from the
    start of its comma-fragment (so its party, `职工不缴纳…`, is in its scope; a fragment with no
    party takes the sentence's) up to the next modal word's fragment; its own fragment is the part
    up to the next comma (the act it governs)."""
    marks = list(MODAL.finditer(sentence))
    seps = [m.start() for m in _SEP.finditer(sentence)]

    def frag_start(pos: int) -> int:
        return max((p + 1 for p in seps if p < pos), default=0)

    # a modal word inside the object of an earlier one in its fragment, in a `…的` modifier
    # (`禁止…招用应当接受义务教育的适龄儿童`), describes that object: it is no scope of its own
    marks = [m for i, m in enumerate(marks) if not (
        i > 0 and marks[i - 1].group(0) in ("禁止", "严禁", "不得") and marks[i - 1].start() >= frag_start(m.start())
        and "的" in sentence[m.end():min([p for p in seps if p >= m.end()] + [len(sentence)])])]
    # the sentence's party (`农民工工资` of `农民工工资应当…，不得以实物…替代`): a later modal word
    # whose fragment names no party of its own governs it too
    party = sentence[:marks[0].start()] if marks and frag_start(marks[0].start()) == 0 else ""
    out = []
    for i, m in enumerate(marks):
        start = frag_start(m.start())
        if i > 0 and marks[i - 1].start() >= start:
            start = m.start()
        inherit = party if i > 0 and start == m.start() and start > 0 else ""
        if i + 1 < len(marks):
            nxt = marks[i + 1].start()
            end = nxt if frag_start(nxt) <= m.start() else frag_start(nxt)
        else:
            end = len(sentence)
        own_end = min([p for p in seps if p >= m.end()] + [end])
        out.append((m.group(0), inherit + sentence[start:end], m.start(), inherit + sentence[start:own_end]))
    return out


def condition_before(sentence: str, start: int) -> str:
    """The condition a modal word at `start` holds under: the text of its clause (after the last
    `；`) up to its last `…的，`, or ""."""
    head = sentence[:start]
    clause_start = max(head.rfind("；"), head.rfind(";")) + 1
    head = head[clause_start:]
    marks = list(_COND.finditer(head))
    if not marks:  # `未经登记，不得对抗…`, `经发包方同意，…可以…`: a fragment that states a condition
        frags = list(re.finditer(r"(?:^|[，,])\s*(?:未经|非经|经(?![营济费常过])|除非|如果|假如|若)[^，,]*[，,]", head))
        return head[frags[-1].start():frags[-1].end()].strip("，, ") if frags else ""
    return head[:marks[-1].end()].strip("，, ")


def _item_of(listed: str) -> str:
    """The item of a lead-in joined to it (`…：（一）在试用期内的` → `在试用期内的`)."""
    item = re.split(r"[：:]", listed)[-1]
    return re.sub(r"^\s*[（(][一二三四五六七八九十]+[）)]", "", item).strip("；;。 ")


def _stated(condition: str, question_text: str) -> bool:
    """Does the question state the condition? (half of the condition's character pairs in it)."""
    pairs = {condition[i:i + 2] for i in range(len(condition) - 1) if _CJK.match(condition[i])
             and _CJK.match(condition[i + 1])}
    if not pairs:
        return True
    return sum(p in question_text for p in pairs) / len(pairs) >= 0.5


def _act(question: str, groups: list[list[str]]) -> list[str]:
    """The act a Chinese yes/no question asks about: the question's first term after its asking word
    (`保管人可以[使用]仓储物吗` → 使用, with its synonyms), or [] when none follows it."""
    m = _ASK_AT.search(question)
    if not m:
        return []
    tail = question[m.end():]
    placed = [(min(tail.find(t) for t in g if t in tail), g) for g in groups if any(t in tail for t in g)]
    return min(placed, key=lambda pg: pg[0])[1] if placed else []


# a negation further into the act asked (`可以注册商标后不使用吗`): what is asked is unclear enough
# that no verdict is given (`能不能`, `可不可以` are asking words, not negations)
_ASK_NOT_FAR_ZH = re.compile(r"(?:可以|能|可|允许|能否|是否|有权)[^，,。？?]{1,10}?不(?![得能予准许应动正良利当足符服同一])")


def ask_kind(question: str, language: str) -> str:
    from policykg.qa.intent import main_clause

    lowered = main_clause(question.lower()) if language == "en" else question.lower()
    if language == "zh":
        question = re.sub(r"([能可要需会])不\1", r"\1", question)  # 能不能 → 能: asking, not negating
    if _ASK_NOT_ZH.search(question) if language == "zh" else _ASK_NOT_EN.search(lowered):
        return "not"
    if language == "zh" and _ASK_NOT_FAR_ZH.search(question):
        return "unclear"
    if _ASK_MUST_ZH.search(question) if language == "zh" else _ASK_MUST_EN.search(lowered):
        return "must"
    if _ASK_MAY_ZH.search(question) if language == "zh" else _ASK_MAY_EN.search(lowered):
        return "may"
    return "plain"


_ANSWERS = {  # (scope kind, what is asked) → answer
    ("no", "may"): "no", ("no", "must"): "no", ("no", "plain"): "no",
    ("not", "may"): "no", ("not", "must"): "no", ("not", "plain"): "no",
    ("neednot", "may"): "yes", ("neednot", "must"): "no", ("neednot", "not"): "yes",
    ("must", "may"): "yes", ("must", "must"): "yes", ("must", "plain"): "yes", ("must", "not"): "no",
    ("may", "may"): "yes", ("may", "must"): "permitted", ("may", "plain"): "yes",
}


def decide(sentence: str, question: str, groups: list[list[str]], idf, language: str, context: str = "",
           unknown: int = 0, question_zh: str = "", listed: bool = False, known=None, seen=None) -> Verdict:
    """The verdict the sentence gives on the question (`groups`: the question's terms as groups of
    Chinese alternatives; `idf`: term → weight; `context`: the clause and document titles, whose
    words count for what the sentence is about but not for the act; `unknown`: how many of the
    question's words nothing links (English words the vocabulary lacks): each weighs half an average
    term, and no sentence can be shown to hold it; `question_zh`: the question's Chinese terms, to tell a stated condition;
    `listed`: the sentence is a list's lead-in joined to one item, the case the question matches;
    `known(term)`: whether the texts hold a term: a group weighs as its rarest alternative the texts
    hold, so a synonym no text uses does not inflate it);
    `seen`: term → does the store hold it anywhere (the question's most specific term, when the
    store holds it, must be in the sentence: `个人信息…能提起公益诉讼吗` is not decided by a sentence
    on 生态环境))."""
    from policykg.qa.focus import synonyms

    groups = _equivalents(groups, question_zh if language == "en" else question)
    if language == "zh":  # a cut-off piece (`仓储物后` → 物后, no word of the dictionary) is no term
        import jieba

        jieba.dt.check_initialized()
        groups = [g for g in groups if not (len(g[0]) == 2 and g[0][1] in "后前时中内外上下里"
                                            and not jieba.dt.FREQ.get(g[0]))]
    groups = [list(dict.fromkeys(g + [s for t in g for s in synonyms().get(t, ())])) for g in groups
              if g and not all(MODAL.fullmatch(t) or t in _ASK_WORDS for t in g)]
    weights = [(idf(g[0]) if known(g[0]) and language == "zh"  # an English word's first term is one guess of several
                else max(idf(t) for t in ([t for t in g if known(t)] or g[:1]))) if known else max(idf(t) for t in g)
               for g in groups]
    if language == "zh":
        unknown += 2 * unlinked_zh(question, groups, f"{sentence} {context}")  # a Chinese word nothing links weighs a whole term
    rule = _RULE_EXCEPT.search(sentence) if not listed else None
    if rule:
        sentence = sentence[:rule.start()]
    total = (sum(weights) * (1 + UNKNOWN * unknown / len(weights)) if weights else 0.0) or 1.0
    case = _case_fit(question if language == "zh" else "", sentence)
    if case < 0:  # the question's case (`十七岁`) is not the one the sentence states (`未满十六周岁`)
        return Verdict("", "", "", 0.0, "")
    if case > 0:  # a figure of the question within the sentence's case is held by it
        groups = [g + [sentence] if all(_FIGURE_TERM.fullmatch(t) for t in g[:1]) else g for g in groups]
    about = f"{sentence} {context}".lower()  # terms are lower-cased (`c类`)
    held = [any(t in about for t in g) for g in groups]
    whole = sum(w for h, w in zip(held, weights) if h) / total
    if whole < (MIN_SENTENCE_NO if case > 0 or language == "zh" else MIN_SENTENCE):  # the sentence is about something else (`不得强迫加班` for "pay overtime?")
        return Verdict("", "", "", 0.0, "")
    if seen is not None and len(groups) > 1:
        key = max([g for g in groups if not _parties(" ".join(g))] or groups,  # parties: by the party rules
                  key=lambda g: idf(g[0]))  # by the question's own word, not a synonym's weight
        if not any(t in about for t in key) and any(seen(t) for t in key):
            return Verdict("", "", "", 0.0, "")  # the question's most specific term, which the store holds elsewhere
    if not listed and re.search(r"[：:]\s*$", sentence):
        return Verdict("", "", "", 0.0, "")  # a lead-in (`应当履行以下程序：`): what it says is in its list
    if not listed and (_LIST_CASE.search(sentence) or _LIST_LEAD.search(sentence)):
        return Verdict("", "", "", 0.0, "")  # the verdict depends on the list's cases
    if listed and _LIST_EXCEPT.search(sentence):
        return Verdict("", "", "", 0.0, "")  # the item is an exception to the lead-in's rule
    acts = [g for g in groups if not _parties(" ".join(g))]  # what the question asks the parties to do
    verb = _bare_verb(question) if language == "zh" else ""  # `可以看…吗`: a one-character act
    if language == "zh" and not acts:
        return Verdict("", "", "", 0.0, "")  # `超市能搜顾客的包吗`: its act (搜) is no term, only its parties are
    asked_values = _values(question)
    if asked_values and not (case > 0 or asked_values & _values(sentence) or _ONLY.search(sentence)):
        return Verdict("", "", "", 0.0, "")  # "two accounts?": the sentence states no such quantity
    asked = question if language == "zh" else question_zh
    # the parties the question names, in everyday words too (商场 → 经营者, 顾客 → 消费者: the groups)
    asked_parties = _parties((question if language == "zh" else question_zh) + " " + " ".join(
        t for g in groups for t in g[1:]))
    act = _act(question, [g for g in groups if not _FIGURE_TERM.fullmatch(g[0])]) if language == "zh" else []  # a figure is a case
    best: Verdict | None = None
    for word, scope, start, own in scopes(sentence):
        before = own[:own.find(word)] if own.find(word) > 0 else ""
        lead = sentence[max((m.end() for m in _SEP.finditer(sentence, 0, start)), default=0):start]
        if word == "不" and MODAL.search(lead):
            continue  # `应当设置不向未成年人销售…的标志`: a negation inside the act another modal word governs
        party = set() if _ADVERBIAL.match(before) else _parties(before)  # `经与…劳动者协商后可以`: not its party
        if party and asked_parties and not party & asked_parties:
            continue  # the sentence binds another party (`用人单位不得解除` for "can a worker quit?")
        if language == "zh" and not any(t in scope for g in acts for t in g):
            continue  # the scope names the parties but not the act asked about
        if verb and verb not in scope:
            continue  # `可以看孩子的日记吗` is not answered by `不得隐匿…日记`
        subject = before or sentence[:start][max(sentence[:start].rfind("；"), sentence[:start].rfind(";")) + 1:]
        subject = re.split(r"[，,]", subject)[0] if not before else subject  # the clause's opening names its party
        if not _ADVERBIAL.match(subject) and any(w in subject and w not in asked for w in _AUTHORITY):
            continue  # the scope binds an authority the question does not name
        if language == "zh" and not _ADVERBIAL.match(subject) and _other_party(subject, question, asked_parties):
            continue  # the scope binds another party (`旅游者可以转让` for "may the travel agency …?")
        governed = scope[max(scope.find(word), 0):]
        if listed and re.search(r"[：:]", governed):
            governed = re.split(r"[：:]", governed)[0]  # the item is the case, not the act governed
            party_words = {w for ws in _PARTIES.values() for w in ws}
            if not any(_holds(governed, t) for g in groups for t in g
                       if t not in party_words and not _PARTY_NOUN.fullmatch(t)):
                continue  # the lead-in grants another act (`不得申请驾驶证：…醉酒…犯罪的` for "is drunk driving a crime?")
        if act and not any(_holds(governed, t) for t in act):
            continue  # the scope governs another act (`应当…验收` for "may the keeper use the goods?")
        if sentence[:start].endswith(("或者", "或", "和", "及", "以及", "与")):
            continue  # `未成年子女或者不能独立生活的成年子女`: a modal word inside a coordinated noun
        clause = re.split(r"[；;。]", sentence[start + len(word):], maxsplit=1)[0]
        if re.search(r"(?:的|情形|情况)[，,]", clause):
            continue  # `…不能证明…，也不能证明…的，`: the modal word is inside a condition
        earned = sum(w for g, w in zip(groups, weights) if any(t in scope for t in g))
        earned_own = sum(w for g, w in zip(groups, weights) if any(t in own for t in g))
        if re.match(r"[^，,；;。]*的[，,]", sentence[start:]):  # `不服的，` / `不能适应…的，`: a condition, not a statement
            continue
        if _TURN.search(own[own.find(word):]) and not _TURN.search(question_zh if language == "en" else question):
            continue  # `有权拒绝缴纳` grants a refusal: it does not answer "may … pay …?"
        cond = _item_of(sentence) if listed else condition_before(sentence, start)  # listed: the item is the case
        stated = not cond or _stated(cond, asked) or _case_fit(question if language == "zh" else "", cond) > 0
        if cond and stated:  # the case the question states is part of what the scope answers
            held_case = [any(t in cond for t in g) for g in groups]
            earned += sum(w for h, w, g in zip(held_case, weights, groups) if h and not any(t in scope for t in g))
        v = Verdict(_kind(word), word, scope, (earned + earned_own) / (2 * total), "",
                    condition="" if stated else cond)
        if best is None or v.rank > best.rank or (v.rank == best.rank and v.kind in ("no", "not")):
            best = v
    if best is None or best.coverage < MIN_SCOPE:
        return best or Verdict("", "", "", 0.0, "")
    best.ask = ask_kind(question, language)
    best.excepted = bool(rule)
    best.answer = _ANSWERS.get((best.kind, best.ask), "")
    mean = sum(weights) / len(weights) if weights else 0.0
    if best.answer in ("yes", "permitted") and (whole < MIN_SENTENCE or language == "zh" and any(
            not h and w >= mean for h, w in zip(held, weights))):  # (an English word's Chinese terms are
        # the vocabulary's guesses: `carry out` → 执行, where the text says 开展)
        best.answer = ""  # a permission or duty answers only the act as asked: `应当…缴纳` says nothing on `分期缴纳`
    elif best.answer == "no" and whole < MIN_SENTENCE and (best.kind not in ("no", "not") or known is None or any(
            not h and not any(known(t) for t in g) for h, g in zip(held, groups))):
        best.answer = ""  # a prohibition covers the act however the question qualifies it; nothing else does
    return best
