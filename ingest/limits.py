"""Guards on what a corpus may make policykg read: files inside the corpus folder only, bounded sizes.

One place for them (the manifest and the readers call these), so that a hostile corpus is one clear
InputError and nothing outside the corpus folder is ever read.
"""
from __future__ import annotations

import os
from pathlib import Path

from policykg.errors import InputError


def _limit(name: str) -> int:
    from policykg.settings import Settings

    value = Settings.from_env()[name]
    try:
        return int(value)
    except ValueError:
        raise InputError(f"setting {name} must be a whole number, not {value!r}") from None


def corpus_file(corpus_dir: Path, name: str, where: str) -> Path:
    """The file `name` a manifest in `corpus_dir` names, refused when it lies outside that folder
    (`../`, an absolute path, or a symbolic link pointing out)."""
    folder = Path(corpus_dir).resolve()
    if os.path.isabs(name) or name.startswith("~"):
        raise InputError(f"{where}: field 'file': {name!r} must be a path relative to the corpus folder {folder}")
    path = (folder / name).resolve()
    if not path.is_relative_to(folder):
        raise InputError(f"{where}: field 'file': {name!r} points outside the corpus folder {folder} "
                         "(through '..' or a symbolic link): refusing to read it")
    return path


def check_document_count(count: int, where: str) -> None:
    limit = _limit("max_documents")
    if count > limit:
        raise InputError(f"{where}: {count} documents, more than max_documents ({limit}); "
                         "split the corpus or raise POLICYKG_MAX_DOCUMENTS")


def check_file_size(path: Path) -> None:
    """Refuse a document file larger than max_document_mb before reading it."""
    limit = _limit("max_document_mb")
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if size > limit * 1024 * 1024:
        raise InputError(f"{path}: {size / 1024 / 1024:.1f} MB, more than max_document_mb ({limit} MB) allows "
                         "for one document; raise POLICYKG_MAX_DOCUMENT_MB to read it")


MAX_LINE = 100_000  # characters: far above any real paragraph of a policy text (the longest in the library: a few thousand)


def check_lines(path: Path, text: str) -> str:
    """Refuse a text with a line longer than MAX_LINE characters (not a policy text; extraction would crawl)."""
    longest = max(map(len, text.splitlines()), default=0)
    if longest > MAX_LINE:
        raise InputError(f"{path}: a line of {longest} characters (at most {MAX_LINE}): "
                         "not a policy text policykg can segment")
    return text
