"""Questions of several parts: "酒后驾驶会被暂扣驾驶证多久，罚款多少？", "What is the fine, and how long
is the licence suspended?". Each part that asks something of its own (a question word of its
own) is answered as its own unit; the pieces that ask nothing (`酒后驾驶机动车的，`) are context
for every part. Retrieval still reads the whole question.
"""
from __future__ import annotations

import re

_ZH_CUE = re.compile(r"多少|几[天年个月小时周名家项次倍]|多久|多长|哪些|哪个|哪里|什么|吗|是否|能否|可否|能不能|怎么|如何|谁")
_EN_CUE = re.compile(r"\b(how much|how many|how long|what|which|who|when|whether|where)\b")
_EN_YESNO = re.compile(r"^\s*(can|may|must|is|are|do|does|will|should|could)\b")
_EN_LEAD = re.compile(r"^\s*(?:when|whenever|if|after|before|while|once|since|because|although)(?!\s+(?:do|does|did|can|is|are|will|should|must)\b)\b")
_ZH_SPLIT = re.compile(r"[，,；;？?]|以及|还有|另外")
_EN_SPLIT = re.compile(r"[;?]|,\s*(?:and\s+)?(?=(?:by\s+)?(?:how|what|which|who|when|whether|where|can|may|must|is|are|do|does)\b)"
                       r"|\s+and\s+(?=(?:how|what|which|who|when|whether|where)\b)")


def split_parts(question: str, language: str) -> list[tuple[str, str]]:
    """(part, its context) for each part that asks something — one (question, "") when the question
    has one part. A piece that asks nothing before the first part is context for every part; one
    after it (`累计缴费满一年不足五年的，` before `…最长多久`) is context for the part that follows it."""
    pieces = [p.strip(" ，,") for p in (_ZH_SPLIT if language == "zh" else _EN_SPLIT).split(question)
              if p and p.strip(" ，,")]
    if language == "zh":
        asking = [bool(_ZH_CUE.search(p)) for p in pieces]
    else:
        asking = [bool(_EN_CUE.search(p.lower()) or _EN_YESNO.search(p.lower())) for p in pieces]
        # a leading clause (`When my contract ends, must …?`, `If …, how much …`) states the case
        asking = [a and not (i < len(pieces) - 1 and _EN_LEAD.match(p.lower())) for i, (p, a) in enumerate(zip(pieces, asking))]
    if sum(asking) < 2:
        return [(question, "")]
    first = asking.index(True)
    shared = " ".join(pieces[:first])
    parts: list[tuple[str, str]] = []
    pending: list[str] = []
    for piece, asks in zip(pieces[first:], asking[first:]):
        if not asks:
            pending.append(piece)
            continue
        parts.append((piece, " ".join([shared] + pending).strip()))
        pending = []
    if pending:  # context after the last part belongs to it
        last, ctx = parts[-1]
        parts[-1] = (last, f"{ctx} {' '.join(pending)}".strip())
    return parts
