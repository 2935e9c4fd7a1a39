"""Read and validate a corpus folder's `manifest.toml` (CONTRACT.md section 1)."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

from policykg.errors import InputError
from policykg.ingest.limits import check_document_count, corpus_file
from policykg.ingest.model import LEVELS, STATUSES, TEXT_KINDS, DocumentMeta
from policykg.ingest.readers import suffixes

ID_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
DATE_RE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
ISO_DATE_RE = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
_STRING_FIELDS = ("title", "level", "region", "number", "date", "status", "text", "file", "source_url",
                  "repealed_by", "adopted", "in_force", "repealed")
_DATE_FIELDS = ("adopted", "in_force", "repealed")  # versions and validity: full ISO dates


def read_manifest(folder: Path) -> list[DocumentMeta]:
    """Return the documents a corpus folder's manifest names, or raise one clear InputError."""
    folder = Path(folder)
    path = folder / "manifest.toml"
    if not folder.is_dir():
        raise InputError(f"corpus folder {folder} does not exist")
    if not path.is_file():
        raise InputError(f"{path}: no manifest.toml in corpus folder {folder}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    tables = data.get("document")
    if not isinstance(tables, list) or not tables:
        raise InputError(f"{path}: no [[document]] table")
    check_document_count(len(tables), str(path))
    metas = []
    for i, table in enumerate(tables, 1):
        metas.append(_meta(path, i, table))
    seen: set[str] = set()
    for meta in metas:
        if meta.id in seen:
            raise InputError(f"{path}: field 'id': {meta.id!r} appears twice")
        seen.add(meta.id)
    return metas


def _meta(path: Path, index: int, table: dict) -> DocumentMeta:
    where = f"{path}: document {index}"

    def bad(field: str, why: str) -> InputError:
        return InputError(f"{where}: field '{field}': {why}")

    if not isinstance(table, dict):
        raise InputError(f"{where}: not a table")
    for name in ("id", "title", "level", "file"):
        if name not in table:
            raise bad(name, "missing (required)")
    doc_id = table["id"]
    if not isinstance(doc_id, str) or not ID_RE.fullmatch(doc_id):
        raise bad("id", f"{doc_id!r} must match [a-z0-9][a-z0-9-]*")
    where = f"{path}: document '{doc_id}'"
    for name in _STRING_FIELDS:
        if name in table and not isinstance(table[name], str):
            raise bad(name, "must be a string")
    for name in ("issuer", "implements", "replaces"):
        value = table.get(name, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad(name, "must be a list of strings")
        table[name] = value
    if not table["title"].strip():
        raise bad("title", "is empty")
    if table["level"] not in LEVELS:
        raise bad("level", f"{table['level']!r} is not one of {', '.join(LEVELS)}")
    status = table.get("status", "in_force")
    if status not in STATUSES:
        raise bad("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    text_kind = table.get("text", "full")
    if text_kind not in TEXT_KINDS:
        raise bad("text", f"{text_kind!r} is not one of {', '.join(TEXT_KINDS)}")
    date = table.get("date", "")
    if date and not DATE_RE.fullmatch(date):
        raise bad("date", f"{date!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    for parent in table["implements"]:
        if not ID_RE.fullmatch(parent):
            raise bad("implements", f"{parent!r} is not a document id")
    if doc_id in table["implements"]:
        raise bad("implements", "a document cannot implement itself")
    for name in _DATE_FIELDS:
        if table.get(name) and not ISO_DATE_RE.fullmatch(table[name]):
            raise bad(name, f"{table[name]!r} is not a date YYYY-MM-DD")
    for name, ids in (("replaces", table["replaces"]), ("repealed_by", [table.get("repealed_by", "")] if table.get("repealed_by") else [])):
        for other in ids:
            if not ID_RE.fullmatch(other):
                raise bad(name, f"{other!r} is not a document id")
            if other == doc_id:
                raise bad(name, "a document cannot replace or repeal itself")
    file = corpus_file(path.parent, table["file"], where)
    if file.suffix.lower() not in suffixes():
        raise bad("file", f"{table['file']!r}: unsupported type (use {', '.join(suffixes())})")
    if not file.is_file():
        raise bad("file", f"{file} does not exist")
    known = set(_STRING_FIELDS) | {"id", "issuer", "implements", "replaces"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise bad(unknown[0], "unknown field")
    return DocumentMeta(
        id=doc_id,
        title=table["title"].strip(),
        level=table["level"],
        region=table.get("region", ""),
        issuer=table["issuer"],
        number=table.get("number", ""),
        date=date,
        status=status,
        text=text_kind,
        file=str(file.resolve()),
        source_url=table.get("source_url", ""),
        implements=table["implements"],
        corpus_dir=str(path.parent.resolve()),
        replaces=table["replaces"],
        repealed_by=table.get("repealed_by", ""),
        adopted=table.get("adopted", ""),
        in_force=table.get("in_force", ""),
        repealed=table.get("repealed", ""),
    )
