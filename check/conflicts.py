"""Conflicts with the higher-level law (备案审查 / 合法性审查): the heart of a filing review.

Each kind compares a sentence of the checked document with a sentence of a parent stating the
same thing, anywhere in the parent (not only in the aligned clause):

- ``penalty_conflict`` (high): for the same act, a fine above the parent's maximum or below its
  minimum, or a kind of penalty the parent does not provide (吊销, 拘留, 罚款 where the parent
  only orders correction); or a penalty imposed `依照《…》第N条的规定` where that article provides
  no such penalty (an old regulation citing the article numbers of a law since rewritten);
- ``deadline_conflict`` (high when longer, medium when shorter): a longer or shorter time limit
  or period for the same action (`24小时内报告` where the parent says `立即报告`; `30日内` vs
  `十五日内`; `满30年向社会开放` vs `满二十五年`);
- ``permission_conflict`` (high): the document permits (可以) what the parent forbids (不得, 禁止);
- ``added_restriction`` (medium): a duty, condition or loss of a right on citizens or enterprises
  that the parent does not impose: the document forbids what the parent permits, declares the
  parent's provisions not applicable (`不适用劳动合同法有关…的规定`), or extends a loss of a right
  beyond the parent's (`不享受下一年度的年休假` where the parent says `当年`).

Figures here are amounts, counts and periods; article references (第四十条, 前款) never are.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from policykg.ingest.model import Clause, Document
from policykg.text import CN_DIGITS, parse_number

from .duty import content, different_actions, exempt, roles, roles_compatible, verbs
from .procedures import procedure_conflicts
from .scope import ARTICLE, CN, parent_names, parse_article
from .similarity import dice, overlap

NUM = rf"(?:\d+(?:\.\d+)?|[{CN_DIGITS}]+)"
AMOUNT = rf"({NUM})\s*([万千百]?)\s*元"
RANGE = re.compile(rf"{AMOUNT}以上[、，,]?{AMOUNT}以下|{AMOUNT}以下|{AMOUNT}以上|{AMOUNT}[至到]{AMOUNT}")
MULTIPLE = re.compile(rf"({NUM})倍以上({NUM})倍以下|({NUM})倍以下")
PENALTY_KINDS = {
    "罚款": r"罚款", "没收": r"没收", "吊销许可证或执照": r"吊销", "暂扣许可证或执照": r"暂扣",
    "责令停产停业": r"责令停产|责令停业|停产整顿|停业整顿|责令关闭", "拘留": r"拘留", "警告": r"警告",
    "通报批评": r"通报批评", "降低资质等级": r"降低资质",
}
ACT_END = re.compile(r"的[，,]")
NOT_ACT = re.compile(r"^(?:有下列|下列|有以下)")
ITEM = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
SAME_ACT = 0.6  # bigram Dice of two acts (parties left out)
DEADLINE = re.compile(rf"(?:在|于)?({NUM})\s*(个)?(小时|个工作日|工作日|日|天|个月|月|年)(?:内|以内|之内)")
# a period after which something happens (`自形成之日起满二十五年向社会开放`), not a condition
# (`工作已满1年不满10年的`)
PERIOD = re.compile(rf"(?<![已不未])(?:满|届满)({NUM})\s*(个)?(小时|个工作日|工作日|日|天|个月|月|年)(?![的，,不以])")
IMMEDIATE = re.compile(r"立即|立刻|即时|马上")
HOURS = {"小时": 1, "个工作日": 24, "工作日": 24, "日": 24, "天": 24, "个月": 720, "月": 720, "年": 8760}
SAME_ACTION = 0.6
SAME_WORDING = 0.55  # bigram Dice of two actions, one permitted and one forbidden
FRAGMENT = re.compile(r"[^，,；;。\n]+")
PROHIBIT = re.compile(r"(不得|禁止|严禁)")
PERMIT = re.compile(r"(?<![方不])(可以|允许)")
EXEMPT = re.compile(r"不适用([^，。；]{0,60}?)的?规定")
DENIAL = re.compile(r"(不享受|不得享受|不再享受|取消|不予)")
PERIODS = ("当年", "当年度", "本年度", "下一年度", "下年度", "次年", "以后年度", "终身", "永久")


@dataclass
class Conflict:
    kind: str
    severity: str
    clause: int | None
    parent_clause: int | None
    message: str
    text: str
    parent_text: str
    extra: dict = field(default_factory=dict)


def _value(num: str, mag: str = "") -> float | None:
    value = parse_number(num)
    if value is None:
        return None
    return float(value) * {"万": 1e4, "千": 1e3, "百": 1e2}.get(mag, 1.0)


def _yuan(value: float) -> str:
    return f"{value / 1e4:g}万元" if value >= 1e4 else f"{value:g}元"


def _range(m: re.Match) -> tuple[float, float]:
    """(low, high) of a RANGE match (`2万元以上20万元以下`, `500元以下`, `1元至2元`)."""
    g = m.groups()
    if g[0] is not None:
        return _value(g[0], g[1]) or 0.0, _value(g[2], g[3]) or math.inf
    if g[4] is not None:
        return 0.0, _value(g[4], g[5]) or math.inf
    if g[6] is not None:
        return _value(g[6], g[7]) or 0.0, math.inf
    return _value(g[8], g[9]) or 0.0, _value(g[10], g[11]) or math.inf


# -- penalties ----------------------------------------------------------------------------------
@dataclass
class Penalty:
    act: str
    low: float
    high: float
    per_person: bool
    kinds: set[str]
    sentence: str


PARTY_WORDS = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:企业|单位|机构|经营者|生产者|使用者|个人|公民)(?:[、和及]|或者)?")


def _act_key(act: str, names: list[str]) -> str:
    """What an act is about, without the parties it names (`药品生产企业、…医疗机构` is who, not what)."""
    act = re.sub(r"《[^》]*》|本(?:法|条例|办法|规定|细则|决定)", "", act)
    act = PARTY_WORDS.sub("", act)
    for n in names:
        act = act.replace(n, "")
    return re.sub(r"违反|有关|规定|和|及|或者|的", "", act)


def _units(clause: Clause) -> list[tuple[str, str]]:
    """(act, text) for each sentence or list item that names an act (`…的，由…处…罚款`)."""
    out: list[tuple[str, str]] = []
    lead_kinds = ""
    for line in clause.text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if ITEM.match(line):
            item = ITEM.sub("", line)
            m = ACT_END.search(item)
            act = item[:m.start()] if m else item.rstrip("；;。的")
            out.append((act, item if m else item + lead_kinds))
            continue
        for sentence in re.findall(r"[^。]+。?", line):
            m = ACT_END.search(sentence)
            if m and not NOT_ACT.match(sentence[:m.start()].split("，")[-1]):
                out.append((sentence[:m.start()], sentence[m.end():]))
            lead_kinds = sentence if NOT_ACT.search(sentence) or "下列" in sentence else ""
    return out


def penalties(clause: Clause) -> list[Penalty]:
    found = []
    for act, text in _units(clause):
        kinds = {k for k, p in PENALTY_KINDS.items() if re.search(p, text)}
        if not kinds:
            continue
        low, high = 0.0, math.inf
        fine = re.search(rf"[^，；。]*罚款", text)
        m = RANGE.search(fine.group()) if fine else None
        if m:
            low, high = _range(m)
        per_person = bool(re.search(r"每(?:人|名|位)", fine.group() if fine else ""))
        sentence = text if text.startswith(act) else act + "的，" + text  # a list item holds its act
        found.append(Penalty(act, low, high, per_person, kinds, sentence.strip()))
    return found


def penalty_conflicts(doc: Document, parent: Document, names: list[str]) -> list[Conflict]:
    mine = [(c, p) for c in doc.clauses for p in penalties(c)]
    theirs = [(c, p) for c in parent.clauses for p in penalties(c)]
    out = []
    for clause, pen in mine:
        key = _act_key(pen.act, names)
        best = max(((dice(key, _act_key(q.act, names)), pc, q) for pc, q in theirs
                    if len(_act_key(q.act, names)) >= 4), key=lambda x: x[0], default=None)
        if len(key) < 4 or best is None or best[0] < SAME_ACT:
            continue
        _, pclause, ppen = best
        reasons = []
        if pen.per_person == ppen.per_person and "罚款" in pen.kinds & ppen.kinds:
            if pen.high > ppen.high and ppen.high < math.inf:
                reasons.append(f"罚款上限{_yuan(pen.high)}高于上级的{_yuan(ppen.high)}")
            if pen.low < ppen.low:
                reasons.append(f"罚款下限{_yuan(pen.low) if pen.low else '（无下限）'}低于上级的{_yuan(ppen.low)}")
            if pen.high < ppen.low:
                reasons.append("罚款幅度整体低于上级规定的幅度")
        new = sorted(pen.kinds - ppen.kinds)
        if new:
            reasons.append(f"增设了上级没有的处罚种类：{'、'.join(new)}")
        if not reasons:
            continue
        message = (f"本文件{clause.label}对“{pen.act[:40]}”的处罚与《{parent.meta.title}》{pclause.label}不一致："
                   f"{'；'.join(reasons)}。下位法不得超出上位法规定的处罚行为、种类和幅度，请核对。")
        out.append(Conflict("penalty_conflict", "high", clause.number, pclause.number, message,
                            pen.sentence, ppen.sentence,
                            {"range": [pen.low, None if pen.high == math.inf else pen.high],
                             "parent_range": [ppen.low, None if ppen.high == math.inf else ppen.high],
                             "new_kinds": new}))
    return out


def cited_penalty_conflicts(doc: Document, parent: Document, names: list[str]) -> list[Conflict]:
    """`依照《…》第N条的规定处以罚款`, `《…》第N条规定的罚款数额`: the cited article must provide that
    kind of penalty (and the fine stay within its range); an article that provides none is no
    basis for it."""
    if not names:
        return []
    cite = re.compile(rf"(违反)?《?(?:{'|'.join(map(re.escape, names))})》?"
                      rf"((?:第{CN}+条(?:第[^，。；、]{{1,6}}?[款项](?:[、和及]第[^，。；、条]{{1,6}}?[款项])*)?[、和及]?)+)的?规定"
                      rf"(?:[^，。；]{{0,12}}?(?:处以?|予以|给予|并处)|的(?=罚款|拘留|没收|吊销))")
    out = []
    for clause in doc.clauses:
        for sentence in re.findall(r"[^。；\n]+[。；]?", clause.text):
            m = next((x for x in cite.finditer(sentence) if not x.group(1)), None)
            if not m:
                continue  # `违反…第N条规定` names the duty broken, not the basis of the penalty
            head = re.split(r"[，,。；]", sentence[m.end():], maxsplit=1)[0]
            kinds = {k for k, p in PENALTY_KINDS.items() if re.search(p, sentence[m.start():m.end()] + head)}
            numbers = [n for n in (parse_article(a.group(1)) for a in ARTICLE.finditer(m.group(2))) if n is not None]
            cited = [c for c in (parent.clause(n) for n in numbers) if c is not None]
            if not kinds or not numbers:
                continue
            text = "".join(c.text for c in cited)
            provided = {k for k, p in PENALTY_KINDS.items() if re.search(p, text)}
            label = "、".join(f"第{a.group(1)}条" for a in ARTICLE.finditer(m.group(2)))
            reasons = []
            if not cited:
                reasons.append(f"《{parent.meta.title}》没有{label}")
            elif not kinds & provided:
                reasons.append(f"该条没有规定{'、'.join(sorted(kinds))}" + ("，也没有规定任何处罚" if not provided else ""))
            else:
                fine = RANGE.search(sentence[m.end():])
                theirs = [p for c in cited for p in penalties(c) if "罚款" in p.kinds]
                per = lambda text: bool(re.search(r"每(?:平方米|立方米|亩|株|吨|人|名|件|日)", text))
                if fine and theirs and "罚款" in kinds and all(per(sentence) == per(p.sentence) for p in theirs):
                    low, high = _range(fine)
                    plow, phigh = min(p.low for p in theirs), max(p.high for p in theirs)
                    if high > phigh:
                        reasons.append(f"罚款上限{_yuan(high)}高于该条的{_yuan(phigh)}")
                    if low < plow:
                        reasons.append(f"罚款下限{_yuan(low) if low else '（无下限）'}低于该条的{_yuan(plow)}")
            if not reasons:
                continue
            stale = not cited or not kinds & provided
            message = (f"本文件{clause.label}依照《{parent.meta.title}》{label}的规定设定{'、'.join(sorted(kinds))}，"
                       f"但{'；'.join(reasons)}："
                       + ("处罚依据与上位法不符（上位法修订后条文序号可能已变化），请核对处罚依据、种类和幅度。" if stale
                          else "超出了所依据条文规定的幅度，请核对。"))
            out.append(Conflict("penalty_conflict", "high", clause.number, cited[0].number if cited else None, message,
                                sentence.strip(), cited[0].text if cited else "", {"cited": numbers, "kinds": sorted(kinds)}))
    return out


# -- deadlines ------------------------------------------------------------------------------------
def deadlines(clause: Clause) -> list[tuple[float, str, str, str]]:
    """(hours, as written, the action it limits, the sentence) for each time limit: the action is
    the words after the limit up to the next comma (or the next fragment when none follow)."""
    out = []
    for sentence in re.findall(r"[^。；\n]+[。；]?", clause.text):
        frags = FRAGMENT.findall(sentence)
        for i, frag in enumerate(frags):
            m = DEADLINE.search(frag) or PERIOD.search(frag)
            if m and re.search(r"第$|此前$|以前$|之前$|前$", frag[:m.start()]):
                m = None  # `第三年`, `此前三年内`: a reference or a look-back, not a time limit
            if m:
                value = _value(m.group(1))
                hours, written, end = (None if value is None else value * HOURS[m.group(3)]), m.group().lstrip("在于"), m.end()
            elif im := IMMEDIATE.search(frag):
                hours, written, end = 0.0, im.group(), im.end()
            else:
                continue
            action = frag[end:]
            if len(action) < 4 and i + 1 < len(frags):
                action += frags[i + 1]
            if hours is not None and len(action) >= 4:
                out.append((hours, written, action, sentence))
    return out


def deadline_conflicts(doc: Document, parent: Document) -> list[Conflict]:
    theirs = [(c, d) for c in parent.clauses for d in deadlines(c)]
    out = []
    for clause in doc.clauses:
        for hours, written, frag, sentence in deadlines(clause):
            candidates = []
            for pclause, (phours, pwritten, pfrag, psentence) in theirs:
                if different_actions(frag, pfrag):
                    continue
                shared = verbs(frag) & verbs(pfrag)
                score = overlap(content(frag), content(pfrag))
                if shared and score >= SAME_ACTION:
                    candidates.append((score, pclause, phours, pwritten, psentence))
            if not candidates:
                continue
            score, pclause, phours, pwritten, psentence = max(candidates, key=lambda x: x[0])
            if abs(hours - phours) < 1e-6 or any(abs(hours - c[2]) < 1e-6 for c in candidates):
                continue
            longer = hours > phours
            message = (f"本文件{clause.label}规定“{written}”，而《{parent.meta.title}》{pclause.label}对同一事项规定"
                       f"“{pwritten}”：期限{'延长' if longer else '缩短'}了。"
                       + ("放宽上位法的期限要求，请核对。" if longer else "缩短期限会加重义务或限制权利，请核对。"))
            out.append(Conflict("deadline_conflict", "high" if longer else "medium", clause.number, pclause.number,
                                message, sentence.strip(), psentence.strip(),
                                {"hours": hours, "parent_hours": phours, "similarity": round(score, 3)}))
    return out


# -- permissions, prohibitions and restrictions ---------------------------------------------------
def _marked(clause: Clause, pattern: re.Pattern) -> list[tuple[str, str, str, str]]:
    """(party before the word, the word, the action after it, the sentence) for each fragment."""
    out = []
    for sentence in re.findall(r"[^。；\n]+[。；]?", clause.text):
        for frag in FRAGMENT.findall(exempt(sentence) if pattern is PERMIT else sentence):
            m = pattern.search(frag)
            if m and len(frag) - m.end() >= 3 and not (pattern is PROHIBIT and re.search(r"除[^。]*外", sentence)):
                out.append((frag[:m.start()], m.group(1), frag[m.end():], sentence.strip()))
    return out


def modal_conflicts(doc: Document, parent: Document) -> list[Conflict]:
    out = []
    p_forbid = [(c, x) for c in parent.clauses for x in _marked(c, PROHIBIT)]
    p_permit = [(c, x) for c in parent.clauses for x in _marked(c, PERMIT)]
    for clause in doc.clauses:
        for mine, theirs, kind in ((_marked(clause, PERMIT), p_forbid, "permission_conflict"),
                                   (_marked(clause, PROHIBIT), p_permit, "added_restriction")):
            for party, word, action, sentence in mine:
                if re.search(r"依照[^。]{0,30}规定的条件", sentence):
                    continue  # a permission within the parent's conditions
                if "下列" in action:
                    continue  # `可以开采下列矿产资源：`: what is permitted is in the list, not the heading
                best = max(((dice(action, a), pc, (pp, w, a, s)) for pc, (pp, w, a, s) in theirs
                            if roles_compatible(party, pp) and not different_actions(action, a) and "下列" not in a),
                           key=lambda x: x[0], default=None)
                if best is None or best[0] < SAME_WORDING or min(len(action), len(best[2][2])) < 4:
                    continue
                _, pclause, (pparty, pword, paction, psentence) = best
                if kind == "added_restriction" and roles(pparty) == {"government"} and pword != "允许":
                    continue  # an authority's power narrowed (`…可以制定地方标准`): no duty on citizens or enterprises
                same_force = p_forbid if kind == "added_restriction" else p_permit
                if any(dice(action, a) >= best[0] for _, (_, _, a, _) in same_force):
                    continue  # the parent itself forbids (or permits) it as closely somewhere else
                if kind == "permission_conflict":
                    message = (f"本文件{clause.label}允许“{word}{action[:30]}”，而《{parent.meta.title}》{pclause.label}"
                               f"规定“{pword}{paction[:30]}”：下位法不得允许上位法禁止的行为。")
                    severity = "high"
                else:
                    message = (f"本文件{clause.label}规定“{word}{action[:30]}”，而《{parent.meta.title}》{pclause.label}"
                               f"允许“{pword}{paction[:30]}”：增设了上位法没有的限制，请核对是否有上位法依据。")
                    severity = "medium"
                out.append(Conflict(kind, severity, clause.number, pclause.number, message, sentence, psentence))
    return out


def exemptions(doc: Document, parent: Document, names: list[str]) -> list[Conflict]:
    """`…不适用劳动合同法有关…的规定`: the document sets the parent's provisions aside."""
    out = []
    for clause in doc.clauses:
        for sentence in re.findall(r"[^。；\n]+[。；]?", clause.text):
            m = EXEMPT.search(sentence)
            if not m or not any(n in m.group(1) for n in names):
                continue
            message = (f"本文件{clause.label}规定“{sentence.strip()[:40]}…”不适用《{parent.meta.title}》的有关规定："
                       "下位法排除上位法的适用，限制了上位法赋予的权利，须有上位法授权，请核对。")
            out.append(Conflict("added_restriction", "medium", clause.number, None, message, sentence.strip(), ""))
    return out


def extended_denials(doc: Document, parent: Document) -> list[Conflict]:
    """A loss of a right carried beyond the parent's period (`不享受下一年度的…` vs `当年的…`)."""
    theirs = [(c, x) for c in parent.clauses for x in _marked(c, DENIAL)]
    out = []
    for clause in doc.clauses:
        for _, word, action, sentence in _marked(clause, DENIAL):
            period = next((p for p in PERIODS if p in action), "")
            if not period:
                continue
            bare = action.replace(period, "")
            for pclause, (_, pword, paction, psentence) in theirs:
                pperiod = next((p for p in PERIODS if p in paction), "")
                if pperiod and pperiod != period and overlap(bare, paction.replace(pperiod, "")) >= SAME_ACTION:
                    message = (f"本文件{clause.label}规定“{word}{action[:30]}”，而《{parent.meta.title}》{pclause.label}"
                               f"只规定“{pword}{paction[:30]}”：把权利的丧失从“{pperiod}”扩大到“{period}”，"
                               "增设了上位法没有的限制，请核对。")
                    out.append(Conflict("added_restriction", "medium", clause.number, pclause.number, message,
                                        sentence, psentence))
                    break
    return out


def find_conflicts(doc: Document, parent: Document, counterparts: dict[int, list[int]] | None = None) -> list[Conflict]:
    """Every conflict of `doc` with `parent`, in clause order; `counterparts`: the parent clauses
    aligned with each clause of `doc` (accepted, best first), where a conflict names one."""
    names = parent_names(doc, parent)
    found = (penalty_conflicts(doc, parent, names) + cited_penalty_conflicts(doc, parent, names)
             + procedure_conflicts(doc, parent, counterparts) + deadline_conflicts(doc, parent)
             + modal_conflicts(doc, parent) + exemptions(doc, parent, names) + extended_denials(doc, parent))
    seen, out = set(), []
    for c in sorted(found, key=lambda c: (c.clause or 0, c.kind)):
        if (c.kind, c.clause, c.parent_clause, c.text) not in seen:
            seen.add((c.kind, c.clause, c.parent_clause, c.text))
            out.append(c)
    return out
