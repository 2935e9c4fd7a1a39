"""Question understanding: the intent (what kind of answer is wanted) from cues in intents.toml."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from policykg.text import AMOUNT, DURATION, FIGURE, PERCENT
from policykg.text.amounts import NUMBER_LOOSE

HERE = Path(__file__).resolve().parent
AGENCY = re.compile(r"[\u4e00-\u9fff]{1,16}?(?:部门|局|办公室|委员会|人民政府|政府|领导小组|小组|厅|委|中心|机构|部"
                    r"|用人单位|职工|劳动者|经营者|当事人|消费者|生产者|销售者|个人)")  # who: an agency, or the party a duty falls on
BENEFIT = re.compile(r"给予|享受|补贴|奖励|资助|待遇|津贴|安家|公寓|优先|免|纳入.{0,12}范围|保障服务")
AMOUNT_OR_SHARE = re.compile(f"(?:{AMOUNT.pattern})|(?:{PERCENT.pattern})|(?:(?:\\d+|[一二两三四五六七八九十]+)倍)"
                             f"|(?:(?:\\d+|[一二两三四五六七八九十]+)个月的(?:本人)?(?:月?工资|工资收入))")
# "how much must it pay?" → 300%, 两倍的工资, 价款十倍, 13个月的本人工资
MONEY_EN = re.compile(r"yuan|rmb|money|cash|salary|subsid|allowance|bonus|award|reward|fine|fee|price|deposit|grant|"
                      r"funding|pension")
# a period as a question asks for it: also hours (`八小时`, `48小时内`) and a frequency (`每月支付一次`)
_DURATION = re.compile(rf"(?:{DURATION.pattern})|{NUMBER_LOOSE}\s*(?:个)?小时|每(?:个)?(?:日|天|周|星期|月|季度|年)[^，,。；;]{{0,10}}一次")
# an amount as a question asks for it: also one stated in months or multiples of a wage (`13个月的本人工资`)
_AMOUNT = re.compile(rf"(?:{AMOUNT.pattern})|{NUMBER_LOOSE}\s*(?:个月|倍)的?(?:本人|职工)?(?:月)?(?:缴费)?(?:工资|薪酬|劳动报酬)")
_COUNT_OR_SHARE = re.compile(f"(?:(?:{FIGURE.pattern})(?!性))|(?:{PERCENT.pattern})|"
                             f"{NUMBER_LOOSE}\\s*(?:毫升|升|公斤|千克|克|吨|米|平方米|公里|千米)")  # 不得低于多少 → 百分之八十


_EN_YESNO = re.compile(r"^(?:can|may|could|is|are|does|do|did|will|would|should|must|has|have|am|shall)\b")
_EN_WH = re.compile(r"\b(?:how (?:much|many|long|often|old|soon)|what|which|when|where)\b")


@dataclass(frozen=True)
class Intent:
    name: str
    needs: str = ""  # amount, percent, count, duration, agency or ""

    def pattern(self) -> re.Pattern | None:
        return {"amount": _AMOUNT, "percent": PERCENT, "amount_or_share": AMOUNT_OR_SHARE, "count": _COUNT_OR_SHARE, "duration": _DURATION,
                "agency": AGENCY, "benefit": BENEFIT}.get(self.needs)

    @property
    def numeric(self) -> bool:
        return self.needs in ("amount", "percent", "count", "duration", "amount_or_share")  # count: any figure with a unit


@lru_cache(maxsize=1)
def _config() -> dict:
    return tomllib.loads((HERE / "intents.toml").read_text(encoding="utf-8"))


def modality_words() -> tuple[list[str], list[str]]:
    m = _config().get("modality", {})
    return m.get("yes", []), m.get("no", [])


def asker_words() -> set[str]:
    """Words of a question that name the asker, not what is asked (intents.toml [question])."""
    return set(_config().get("question", {}).get("ignore", []))


def english_light_words() -> set[str]:
    """English question words with no content of their own (intents.toml [question] en_ignore)."""
    return set(_config().get("question", {}).get("en_ignore", []))


_EN_SUBORDINATE = re.compile(r"\b(?:who|whom|whose|which|that|when|whenever|while|if|because|although|though|"
                             r"unless|until|after|before|since)\b")


_EN_AUX = {"have", "has", "had", "did", "do", "does", "was", "were", "am", "are", "is"}


def main_clause(question: str) -> str:
    """An English question without its relative and subordinate clauses (`may an employer hire a
    child who should be at school` → `may an employer hire a child`): what is asked (may / must /
    not) is read there, not from a clause that describes a party or a case."""
    lead = _EN_SUBORDINATE.match(question.lstrip())
    if lead and "," in question:  # `when my contract ends, must the employer …`: the clause after the comma
        question = question.split(",", 1)[1].strip()
    m = _EN_SUBORDINATE.search(question, 1)
    question = question[:m.start()] if m and m.start() > 0 else question
    words = question.split()  # `the leave I have not taken`: a clause without `that`, after the first words
    for i in range(3, len(words) - 1):
        if words[i] in ("i", "we", "you", "he", "she", "they") and words[i + 1] in _EN_AUX:
            return " ".join(words[:i])
    return question


def classify(question: str, language: str) -> Intent:
    """The first intent (in intents.toml order) one of whose cues the question contains."""
    text = question.strip()
    lowered = " ".join(re.sub(r"[^\w%-]+", " ", text.lower()).split())
    if language == "en":  # cues of the main clause (`up to what age can a man who was …`: not `who`)
        main = " ".join(re.sub(r"[^\w%-]+", " ", main_clause(text.lower())).split())
        lowered = main or lowered
    if language == "en" and _EN_YESNO.match(lowered) and not _EN_WH.search(lowered):
        return Intent("yesno")  # "Can a school expel a student who …?", "If …, must it …?": yes or no
    for spec in _config()["intent"]:
        if language == "zh":
            hit = any(c in text for c in spec.get("zh", [])) or any(
                re.search(p, text) for p in spec.get("zh_regex", []))
        else:
            hit = any(re.search(rf"(?<![a-z]){re.escape(c)}", lowered) for c in spec.get("en", [])) or any(
                re.search(p, lowered) for p in spec.get("en_regex", []))
        if hit and language == "zh" and any(w in text for w in spec.get("zh_unless", [])):
            hit = False
        if hit:
            needs = spec.get("needs", "")
            if needs == "amount" and language == "en" and not MONEY_EN.search(lowered):
                needs = "amount_or_share"  # "how much" names no money: a share of the wage answers too
            return Intent(spec["name"], needs)
    return Intent("other")
