"""The .txt reader: UTF-8 or GB18030 text, one block per line."""
from __future__ import annotations

from pathlib import Path

from policykg.ingest.readers import Source, decode, lines_source, register


@register(".txt")
def read_plain(path: Path, raw: bytes) -> Source:
    return lines_source(decode(path, raw))
