"""The Chinese-text toolkit every part of policykg uses (it imports nothing else of policykg).

- numerals: :func:`parse_number` (一千零一, 两万, 3万, 1.5万, 〇), :func:`cn_to_int` (第十二条 → 12);
- sentences: :func:`split_sentences` → :class:`Sentence` (index, start, end, text), the one splitter;
- modality: :data:`TABLE` of modalities (must, should, plain, prohibit, encourage, support, may)
  with kind and zh/en labels, :func:`modal_markers`;
- amounts: :func:`find_money`, :func:`yuan` (十万元 → 100000), :func:`yuan_en`, :func:`percent`,
  :func:`period`, and the AMOUNT / PERCENT / COUNT / FIGURE / DURATION patterns.
"""
from __future__ import annotations

from .amounts import (AMOUNT, COUNT, DURATION, FIGURE, PERCENT, PERIODS, Money, find_money, percent, period,
                      to_yuan, yuan, yuan_en)
from .modality import (EXPLICIT_STRONG, MODALITIES, STRONG, TABLE, WEAK, WORDS, Modality, kind_of, label,
                       modal_markers, strip_modal_words)
from .numerals import CN_DIGITS, MAGNITUDES, NUMBER, cn_to_int, parse_number, scaled
from .sentences import END_MARKS, Sentence, sentence_at, sentence_bounds, sentences, split_sentences

__all__ = [
    "AMOUNT", "COUNT", "DURATION", "FIGURE", "PERCENT", "PERIODS", "Money", "find_money", "percent", "period",
    "to_yuan", "yuan", "yuan_en",
    "EXPLICIT_STRONG", "MODALITIES", "STRONG", "TABLE", "WEAK", "WORDS", "Modality", "kind_of", "label",
    "modal_markers", "strip_modal_words",
    "CN_DIGITS", "MAGNITUDES", "NUMBER", "cn_to_int", "parse_number", "scaled",
    "END_MARKS", "Sentence", "sentence_at", "sentence_bounds", "sentences", "split_sentences",
]
