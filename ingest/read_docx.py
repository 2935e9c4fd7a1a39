"""The .docx reader: paragraphs, then table rows (cells joined by a space)."""
from __future__ import annotations

import zipfile
from pathlib import Path

from policykg.errors import InputError
from policykg.ingest.readers import Source, lines_source, register


@register(".docx")
def read_docx(path: Path, raw: bytes) -> Source:
    try:
        import docx  # python-docx

        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a readable .docx file ({exc.__class__.__name__})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return lines_source("\n".join(lines))
