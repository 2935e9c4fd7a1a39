"""Versions and validity: which text is in force on a date, and what changed between two versions.

`diff` maps the articles of two versions (新旧对照表); `events` reads the dates a legal text gives
itself; `chain` links the versions of a document and says which is in force on a date.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from policykg.errors import InputError
from policykg.ingest.model import Document


def load_version(ref: str, open_store: Callable) -> Document:
    """A document id of the store, or a file path (a path is anything naming an existing file)."""
    path = Path(ref)
    if path.is_file():
        from policykg.versions.load import load_file

        return load_file(path)
    if "/" in ref or path.suffix:
        raise InputError(f"{ref}: no such file (give a file or a document id of the store)")
    return open_store().document(ref)
