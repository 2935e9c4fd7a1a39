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
_ZH_SPLIT = re.compile(r"[，,；;？?]|以及|还有|另外")
_EN_SPLIT = re.compile(r"[;?]|,\s*(?:and\s+)?(?=(?:by\s+)?(?:how|what|which|who|when|whether|where|can|may|must|is|are|do|does)\b)"
                       r"|\s+and\s+(?=(?:how|what|which|who|when|whether|where)\b)")


def split_parts(question: str, language: str) -> tuple[list[str], str]:
    """(the parts that ask something, the context pieces) — one part when the question has one."""
    pieces = [p.strip(" ，,") for p in (_ZH_SPLIT if language == "zh" else _EN_SPLIT).split(question) if p and p.strip(" ，,")]
    if language == "zh":
        asks = [p for p in pieces if _ZH_CUE.search(p)]
    else:
        asks = [p for p in pieces if _EN_CUE.search(p.lower()) or _EN_YESNO.search(p.lower())]
    context = " ".join(p for p in pieces if p not in asks)
    if len(asks) < 2:
        return [question], ""
    return asks, context
