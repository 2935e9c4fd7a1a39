"""Real parent/child pairs from ../shared/library for the drafter's check (tests/test_check_real.py).

:func:`corpus_folder` writes a corpus folder (in a temporary directory, never in the repo) whose
manifest names the library files of the pairs with ``implements`` set on the child. The library's
markdown is written as plain text (the heading marks and the source header dropped) so any reader
takes it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

GOLD = Path(__file__).resolve().parent / "data" / "check-real"


def gold_pairs() -> list[dict]:
    """Every annotated pair: {"child", "parent", "findings": [...], "missed": [...]} ."""
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD.glob("*.json"))]


def _library(shared: Path) -> dict[str, dict]:
    import tomllib

    data = tomllib.loads((shared / "library" / "manifest.toml").read_text(encoding="utf-8"))
    return {d["id"]: d for d in data["document"]}


def _plain(markdown: str) -> str:
    body = markdown.split("<!-- INFO END -->", 1)[-1]
    return re.sub(r"(?m)^#+\s*", "", body).strip() + "\n"


def corpus_folder(shared: Path, folder: Path, pairs: list[tuple[str, str]]) -> Path:
    """A corpus folder holding each (child, parent) of `pairs` with the child implementing the parent."""
    library = _library(shared)
    implements: dict[str, list[str]] = {}
    for child, parent in pairs:
        implements.setdefault(child, []).append(parent)
        implements.setdefault(parent, [])
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    for doc_id, parents in implements.items():
        meta = library[doc_id]
        source = shared / "library" / meta["file"]
        (folder / f"{doc_id}.txt").write_text(_plain(source.read_text(encoding="utf-8")), encoding="utf-8")
        tables.append("\n".join([
            "[[document]]", f'id = "{doc_id}"', f'title = "{meta["title"]}"', f'level = "{meta["level"]}"',
            f'region = "{meta.get("region", "")}"', "issuer = []", f'date = "{meta.get("date", "")}"',
            f'status = "{meta.get("status", "in_force")}"', 'text = "full"', f'file = "{doc_id}.txt"',
            f"implements = {json.dumps(parents, ensure_ascii=False)}", ""]))
    (folder / "manifest.toml").write_text("\n".join(tables), encoding="utf-8")
    return folder
