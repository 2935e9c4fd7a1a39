"""Whether two sentences state the same duty: the same party or role, action and object.

Modality is only compared between sentences stating the same duty (issue 13): `可以中止` is not
`终止`, paying compensation is not concluding a contract, and a parent sentence that says
`国家鼓励` obliges nobody. A duty is described by

- its role: the party's kind (government, employer or enterprise, worker, union), by suffix;
- its actions: the legal verbs it uses (支付, 订立, 解除, 终止, 报告 …, a closed list);
- its object: the rest of its words (character bigrams without the modal words).
"""
from __future__ import annotations

import re

from .similarity import grams, overlap

ROLES = {
    "government": re.compile(r"(?:政府|部门|机关|机构|局|厅|委员会|国务院|国家|各地|街镇|街道|乡镇)$"),
    "employer": re.compile(r"(?:用人单位|用工单位|派遣单位|单位|企业|雇主|经营者|生产者|公司|个体工商户)$"),
    "worker": re.compile(r"(?:劳动者|职工|员工|工人|人员|人才|学生|毕业生|当事人|个人|公民)$"),
    "union": re.compile(r"(?:工会|协会|学会|行业组织)$"),
}
# legal actions: two sentences with such verbs and none in common state different duties
VERBS = re.compile(
    r"支付|缴纳|订立|续订|解除|终止|中止|变更|履行|报告|报送|备案|检测|检查|验收|办理|出具|安排|提供|承担|公布|公开|"
    r"批准|审批|登记|申请|作出|告知|通知|录用|招用|使用|开采|设立|罚款|处罚|赔偿|补偿|制定|培训|考核|保护|扣押|收取|"
    r"举报|投诉|调查|处理|延长|缩短|享受|休假|加班|录取|聘用|辞退|裁减|转移|接续|审查|许可|吊销|没收|撤回|送交|驱散|"
    r"带离|拘留|变通|佩戴|协商|推迟|答复|公告|征求|听取|评估|认证|发放|颁发|注销|撤销|责令|提交|提出|进口|出口|"
    r"审理|恢复|决定|移交|归档|开放"
)
NOMINAL = "书单表证"  # 申请书, 通知书, 登记表, 许可证: the verb names a document
PERSON_OR_SUM = "人者费金"  # 申请人, 使用者, 补偿费, 赔偿金
MODAL = re.compile(r"必须|务必|应当|应|要|须|鼓励|倡导|引导|支持|允许|可以|可|不得|禁止|严禁")
SAME_OBJECT = 0.25  # share of the shorter duty's content bigrams found in the other


def role(party: str) -> str:
    """The kind of party (government, employer, worker, union), or "" when unknown."""
    party = (party or "").strip()
    for name, pattern in ROLES.items():
        if pattern.search(party):
            return name
    return ""


def _verbs(text: str, nominal: bool = False) -> list[str]:
    """The legal verbs of a text in order: those used as verbs, or (`nominal`) those naming a
    document (`申请书`, `通知书`); a verb naming a person or a sum (`申请人`, `补偿金`) is neither."""
    text = text or ""
    out = []
    for m in VERBS.finditer(text):
        after = text[m.end():m.end() + 1]
        if (bool(after) and after in NOMINAL) == nominal and (nominal or not after or after not in PERSON_OR_SUM):
            out.append(m.group())
    return out


def verbs(text: str) -> set[str]:
    """The legal verbs a text uses as verbs (not `申请` in `申请书`, `申请人`, not `补偿` in `补偿金`)."""
    return set(_verbs(text))


def nominal(text: str) -> set[str]:
    """The legal verbs a text names as a document (`通知书`, `申请书`, `许可证`)."""
    return set(_verbs(text, nominal=True))


def content(text: str) -> str:
    return MODAL.sub("", text or "")


def exempt(text: str) -> str:
    """`方可上岗作业` is a condition, not a permission: the text without such look-alikes."""
    return re.sub(r"方可|不可|可能|可行|可靠|可持续", "", text or "")


def roles(party: str) -> set[str]:
    """The roles of a party naming several (`行业主管部门和行业组织`: government and union)."""
    found = {role(p) for p in re.split(r"[、和及与]|或者", party or "")}
    return found - {""}


def roles_compatible(a: str, b: str) -> bool:
    ra, rb = roles(a), roles(b)
    return not ra or not rb or bool(ra & rb)


def main_verb(text: str) -> str:
    """The first legal verb of an action (`及时到…办理撤回手续` → 办理), or ""."""
    found = _verbs(text)
    return found[0] if found else ""


def same_action(a: str, b: str) -> bool:
    """The two actions open with the same legal verb, or one's verb is the document the other
    acts on (`通知…` and `将《…通知书》送交…`)."""
    va, vb = main_verb(a), main_verb(b)
    return bool(va) and bool(vb) and (va == vb or va in nominal(b) or vb in nominal(a))


def different_actions(a: str, b: str) -> bool:
    """Both actions open with a legal verb and not the same one (解除 vs 终止, 办理 vs 撤回)."""
    return bool(main_verb(a)) and bool(main_verb(b)) and not same_action(a, b)


def same_duty(a_text: str, a_party: str, b_text: str, b_party: str) -> bool:
    """Named compatible parties, a shared legal verb and a shared object."""
    if not (a_party and b_party and roles_compatible(a_party, b_party)):
        return False
    if not verbs(a_text) & verbs(b_text):
        return False
    shared_words = VERBS.sub("", content(a_text)), VERBS.sub("", content(b_text))
    return overlap(*shared_words) >= SAME_OBJECT and bool(set(grams(shared_words[0])) & set(grams(shared_words[1])))


def not_an_obligation(party: str, modality: str, weak: frozenset) -> bool:
    """`国家鼓励…`, `国家支持…`: a statement of policy that obliges nobody."""
    return modality in weak and (party or "").startswith("国家")
