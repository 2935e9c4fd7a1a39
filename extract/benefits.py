"""Benefits in clause text: what is granted, to whom, by whom, how much, per what period.

A clause is cut into sentences (。；) and a sentence into segments (，：). A benefit is found
by its trigger in a segment:

- an amount of money (policykg.text.amounts) with its benefit phrase — the phrase ending in a head word of
  the benefit-type vocabulary after the amount (最高1万元奖励, 5万元生活补贴) or before it
  (安家补贴2万元); a bare amount inherits the phrase of the one before it (B类人才最高50万元);
- 给予 / 予以 / 发放 / 提供 / 享受 + a benefit phrase without an amount (给予政策补贴扶持);
- 纳入 … 范围 of a benefit scheme (inclusion), 享受 … 待遇 (treatment), 优先 + verb (priority),
  授予 … (title), a facility set up or given (成立创新工作室, 入住人才公寓), a service (子女入学).

Beneficiaries are the talent categories, honors and programmes named before the trigger in
its segment, else in the nearest earlier segment of the sentence that names some (对X，给予…);
a sentence that enumerates tiers (A类…、B类…) extends its benefits to them. Agencies are those
the sentence names (由市财政局列支), else the document's agencies that are 负责 funds/subsidies.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from decimal import Decimal

from policykg.extract.entities import STOP, Entity, pos_tokens
from policykg.extract.vocab import Vocabulary
from policykg.text import find_money, sentence_bounds

BENEFICIARY_KINDS = ("TalentCategory", "Honor", "Program")
SEGMENT_END = "，,：:"
GIVE = re.compile(r"给予|予以|发放|提供|享受|享有|兑现")
INCLUSION = re.compile(r"纳入([^，。；]{1,30}?)(?:范围|目录|名单|支持体系)")
TREATMENT = re.compile(r"享受([^，。；]{0,12}(?:待遇|政策))")
_NOT_IN_PHRASE = frozenset("标准 元 万元 规定 相应 一次性 发放 拨付 兑现 申请 领取 申领 每月 每年 每人 免费".split())
_COMPARED = re.compile(r"(?:比照|参照)[^，。；]{0,6}$")
PRIORITY = re.compile(r"优先(?:推荐|安排|保障|办理|考虑|录用|聘用|入学|落户|晋升|支持|申报|入住|选用|使用|服务)")
TITLE = re.compile(r"授予([^，。；]{2,40})")
FACILITY_VERB = re.compile(r"(?:成立|设立|建立|入住|提供|配备|安排|给予|配套|申请入住)[^，。；]{0,4}$")
_LOCAL = re.compile(r"^(?:本区|本市|本县|本省|全区|全市)")
# an agency named right after these is not the one that administers (到工会挂职)
_NOT_ADMIN_BEFORE = ("到", "向", "在")
_ANAPHOR = re.compile(r"获评者|获奖者|入选者|获得者|获评的|入选的|获得的|上述|前款|该类人才|其")
_FUNDING = re.compile(r"负责[^，。；]{0,10}(?:资金|补贴|奖励|经费|发放|拨付|兑现|审核|保障)")


@dataclass
class Benefit:
    what: str  # the benefit phrase (zh)
    type: str  # notation of the benefit-type concept: money, subsidy, treatment, …
    start: int  # where its trigger is in the clause text
    sentence: str
    beneficiaries: list[Entity] = field(default_factory=list)
    agencies: list[Entity] = field(default_factory=list)
    amount: Decimal | None = None
    max_amount: Decimal | None = None
    period: str = ""


def _segments(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for i in range(lo, hi):
        if text[i] in SEGMENT_END:
            out.append((start, i))
            start = i + 1
    out.append((start, hi))
    return [(s, e) for s, e in out if e > s]


class _Heads:
    """Head words of the benefit-type vocabulary, longest first."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.types = vocab.heads
        names = sorted(vocab.heads, key=len, reverse=True)
        self.regex = re.compile("|".join(map(re.escape, names))) if names else re.compile(r"(?!x)x")

    def phrase(self, text: str, lo: int, hi: int, tokens, last: bool = False) -> tuple[int, int, str] | None:
        """The first (or last) benefit phrase in text[lo:hi]: (start, end, type)."""
        matches = list(self.regex.finditer(text, lo, hi))
        if not matches:
            return None
        if last:
            # the run of heads that ends last
            first = matches[-1]
            for m in reversed(matches[:-1]):
                if m.end() == first.start():
                    first = m
                else:
                    break
            end, head = matches[-1].end(), matches[-1].group(0)
        else:
            first = matches[0]
            end, head = first.end(), first.group(0)
            for m in matches[1:]:
                if m.start() == end:
                    end, head = m.end(), m.group(0)
                else:
                    break
        start = _extend(text, tokens, first.start(), lo)
        return start, end, self.types[head]


def _extend(text: str, tokens, start: int, lo: int, max_len: int = 6, ents: list[Entity] = ()) -> int:
    """Left edge of a benefit phrase whose head starts at `start` (not past `lo`, a stop word or
    an entity: 高技能人才子女教育 → 子女教育)."""
    lo = max([lo] + [e.end for e in ents if e.end <= start])
    k = tokens.at(start)
    if k is None:
        return start
    begin = max(tokens[k][0], lo)
    j = k - 1
    while j >= 0:
        s, e, word, flag = tokens[j]
        if s < lo or word in STOP or word in _NOT_IN_PHRASE or start - s > max_len:
            break
        if not re.fullmatch(r"[\u4e00-\u9fff]+", word) or flag.startswith(("m", "q", "p", "u", "c", "r", "d")):
            break
        begin = s
        j -= 1
    return begin


def find_benefits(text: str, entities: list[Entity], vocab: Vocabulary) -> list[Benefit]:
    heads = _Heads(vocab)
    tokens = pos_tokens(text)
    benefits: list[Benefit] = []
    earlier: list[Entity] = []  # the categories and honors of the sentence before
    previous: Benefit | None = None  # the last priced benefit: a bare amount later inherits its phrase
    by_start = sorted(entities, key=lambda e: e.start)
    starts = [e.start for e in by_start]
    for s_lo, s_hi in sentence_bounds(text):
        sentence = text[s_lo:s_hi].strip()
        segs = _segments(text, s_lo, s_hi)
        ents = by_start[bisect_left(starts, s_lo):bisect_left(starts, s_hi)]
        found: list[tuple[int, Benefit]] = []  # (segment index, benefit)
        for i, (lo, hi) in enumerate(segs):
            spans: list[tuple[int, int]] = []  # what is already a benefit in this segment
            for money in find_money(text, lo, hi):
                ph = heads.phrase(text, money.end, hi, tokens) or heads.phrase(text, lo, money.start, tokens, last=True)
                if ph is not None:
                    what, kind = text[ph[0]:ph[1]], ph[2]
                    spans.append((ph[0], ph[1]))
                elif previous is not None:
                    what, kind = previous.what, previous.type
                else:
                    # the phrase said earlier in the sentence (按租金的50%给予补贴，每月最高1500元)
                    ph = next((p for j in range(i - 1, -1, -1)
                               if (p := heads.phrase(text, segs[j][0], segs[j][1], tokens, last=True))), None)
                    # else the last benefit phrase earlier in the clause (a table's heading: 安家补贴标准)
                    ph = ph or heads.phrase(text, 0, s_lo, tokens, last=True)
                    if ph is None:
                        continue
                    what, kind = text[ph[0]:ph[1]], ph[2]
                if kind not in ("money", "subsidy"):
                    kind = "money"
                b = Benefit(what, kind, money.start, sentence, period=money.period)
                if money.is_max:
                    b.max_amount = money.value
                else:
                    b.amount = money.value
                found.append((i, b))
                previous = b
            for b in _other_triggers(text, lo, hi, heads, tokens, ents, spans, sentence):
                found.append((i, b))
        # 给予补贴 … 每月最高1500元: the amount-less mention is the same benefit
        priced = {b.what for _, b in found if b.amount is not None or b.max_amount is not None}
        found = [(i, b) for i, b in found if b.amount is not None or b.max_amount is not None
                 or b.type not in ("money", "subsidy") or b.what not in priced]
        _assign(text, found, segs, ents, sentence_has_tiers=sum(1 for e in ents if e.tier) >= 2)
        if "分别" in sentence:
            _respectively(found)
        if _ANAPHOR.search(sentence):
            for _, b in found:
                if not b.beneficiaries:
                    b.beneficiaries = list(earlier)
        earlier = [e for e in ents if e.kind in BENEFICIARY_KINDS[:2]] or earlier
        benefits += [b for _, b in found if b.beneficiaries or b.type in ("money", "subsidy")]
    _fallback_agencies(text, entities, benefits)
    return benefits


def _other_triggers(text, lo, hi, heads, tokens, ents, spans, sentence) -> list[Benefit]:
    out: list[Benefit] = []
    seg = text[lo:hi]

    def free(s: int, e: int) -> bool:
        return not any(s < b and a < e for a, b in spans)

    for m in INCLUSION.finditer(seg):
        inner = m.group(1)
        if heads.regex.search(inner):
            what = _LOCAL.sub("", inner)
            out.append(Benefit(what, "inclusion", lo + m.start(), sentence))
            spans.append((lo + m.start(), lo + m.end()))
    for m in TREATMENT.finditer(seg):
        if free(lo + m.start(1), lo + m.end(1)):
            out.append(Benefit(m.group(1), "treatment", lo + m.start(), sentence))
            spans.append((lo + m.start(1), lo + m.end(1)))
    for m in PRIORITY.finditer(seg):
        out.append(Benefit(m.group(0), "priority", lo + m.start(), sentence))
    for m in TITLE.finditer(seg):
        if free(lo + m.start(1), lo + m.end(1)):
            out.append(Benefit(m.group(1).strip(), "title", lo + m.start(), sentence))
            spans.append((lo + m.start(1), lo + m.end(1)))
    for m in GIVE.finditer(seg):
        ph = heads.phrase(text, lo + m.end(), hi, tokens)
        if ph is not None and free(ph[0], ph[1]) and ph[2] in ("money", "subsidy", "title", "treatment"):
            out.append(Benefit(text[ph[0]:ph[1]], ph[2], lo + m.start(), sentence))
            spans.append((ph[0], ph[1]))
    for m in heads.regex.finditer(text, lo, hi):
        kind = heads.types[m.group(0)]
        if kind not in ("facility", "service") or not free(m.start(), m.end()):
            continue
        if kind == "facility" and not FACILITY_VERB.search(text[lo:m.start()]):
            continue
        ent = next((e for e in ents if e.start <= m.start() and m.end() <= e.end), None)
        if ent is not None:
            s, e, what = ent.start, ent.end, ent.label
        else:
            s, e = _extend(text, tokens, m.start(), lo, ents=ents), m.end()
            what = text[s:e]
        if not free(s, e):
            continue
        b = Benefit(what, kind, s, sentence)
        b.beneficiaries = []
        out.append(b)
        spans.append((s, e))
    return out


def _respectively(found: list[tuple[int, Benefit]]) -> None:
    """A类、B类、C类人才分别给予100万元、50万元、30万元: pair amounts with beneficiaries in order."""
    by_segment: dict[int, list[Benefit]] = {}
    for i, b in found:
        if b.amount is not None or b.max_amount is not None:
            by_segment.setdefault(i, []).append(b)
    for group in by_segment.values():
        who = group[0].beneficiaries
        if len(group) >= 2 and len(who) == len(group) and all(b.beneficiaries == who for b in group):
            for b, e in zip(group, who):
                b.beneficiaries = [e]


def _assign(text: str, found: list[tuple[int, Benefit]], segs, ents: list[Entity], sentence_has_tiers: bool) -> None:
    def candidates(kinds, lo: int, hi: int, before: int | None = None, exclude: int | None = None) -> list[Entity]:
        return [e for e in ents if e.kind in kinds and lo <= e.start < hi
                and (before is None or e.end <= before) and e.start != exclude
                and not _COMPARED.search(text[max(0, e.start - 8):e.start])]

    for i, b in found:
        lo, hi = segs[i]
        kinds = BENEFICIARY_KINDS if b.type in ("money", "subsidy") else BENEFICIARY_KINDS[:2]
        own = candidates(kinds, lo, hi, before=b.start, exclude=b.start)
        if not own:
            for j in range(i - 1, -1, -1):
                own = candidates(kinds, *segs[j])
                if own:
                    break
        if not own and b.type in ("inclusion", "treatment"):
            for j in range(i + 1, len(segs)):
                own = candidates(kinds, *segs[j])
                if own:
                    break
        if sentence_has_tiers and b.type in ("inclusion", "treatment", "money", "subsidy") \
                and not any(e.tier for e in own):
            own = own + [e for e in ents if e.tier]
        b.beneficiaries = _unique(own)
        b.agencies = _unique([e for e in ents if e.kind == "Agency"
                              and not text[max(0, e.start - 1):e.start].endswith(_NOT_ADMIN_BEFORE)])


def _unique(ents: list[Entity]) -> list[Entity]:
    seen, out = set(), []
    for e in ents:
        if e.concept not in seen:
            seen.add(e.concept)
            out.append(e)
    return out


_FUNDS = re.compile(r"资金|补贴|补助|奖励|经费|奖金|津贴")
_PAYS = re.compile(r"拨付|发放|列支|承担|兑现|审核|保障|负责|支付|核发")


def _fallback_agencies(text: str, entities: list[Entity], benefits: list[Benefit]) -> None:
    """Money benefits no agency is named for: the clause's agencies that are 负责 funds, or that
    a sentence about the funds names (补助资金由县人社局会同县财政局审核拨付)."""
    funding = [e for e in entities if e.kind == "Agency" and _FUNDING.match(text, e.end)]
    for lo, hi in sentence_bounds(text):
        sentence = text[lo:hi]
        if _FUNDS.search(sentence) and _PAYS.search(sentence):
            funding += [e for e in entities if e.kind == "Agency" and lo <= e.start < hi]
    for b in benefits:
        if not b.agencies and b.type in ("money", "subsidy") and funding:
            b.agencies = _unique(funding)


def document_funders(texts: list[str], entities: list[list[Entity]]) -> list[Entity]:
    """The agencies a document makes responsible for its funds (区财政局负责资金保障)."""
    out: list[Entity] = []
    for text, ents in zip(texts, entities):
        out += [e for e in ents if e.kind == "Agency" and _FUNDING.match(text, e.end)]
    return _unique(out)
