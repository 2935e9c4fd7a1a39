"""The drafter's consistency check: a document against the documents it implements.

:func:`run_check` returns the ``check --json`` object of CONTRACT.md section 3: the document,
its parents, the clause alignments (best first per clause and parent) and the findings.
Alignments come from the store (``Store.alignments()``, written by the build stage with
:mod:`policykg.check.align`), the obligations, figures and blanks from the graph
(:mod:`policykg.check.facts`); :mod:`policykg.check.report` renders text, Markdown and HTML.
"""
from __future__ import annotations

from typing import Any

TOP = 3  # counterparts listed per clause and parent


def run_check(store, doc_id: str, model: str) -> dict[str, Any]:
    """The consistency check of document `doc_id` in `store` (a `policykg.kg.store.Store`);
    `model` embeds clauses when the store has no alignments for it."""
    from .align import load_or_compute
    from .facts import clause_facts
    from .findings import Checker

    doc = store.document(doc_id)
    known = {d.id: d for d in store.documents()}
    entry = load_or_compute(store, doc_id, model)
    parents = [p for p in doc.meta.implements if p in known]
    missing = [p for p in doc.meta.implements if p not in known]
    pairs = {p: entry.get("pairs", {}).get(p, {}) for p in parents}
    alignments = []
    for clause in doc.clauses:
        for parent in parents:
            for pair in pairs[parent].get(str(clause.number), [])[:TOP]:
                alignments.append({"clause": clause.number, "parent_document": parent,
                                   "parent_clause": pair["parent_clause"], "score": pair["score"],
                                   "accepted": pair["accepted"]})
    facts = clause_facts(store, [doc, *(known[p] for p in parents)])
    checker = Checker(doc, {p: known[p] for p in parents}, pairs, facts)
    findings = [f.to_dict() for f in checker.run()]
    warnings = [
        f"{doc_id} implements {p}, which is not in this store: add the corpus folder that holds {p} "
        "with another --corpus and build again" for p in missing
    ]
    if doc.meta.text == "digest" and parents:
        warnings.append(f"{doc_id} is a digest, not the official text: obligations it leaves out and parent "
                        "clauses it does not cover are not reported")
    if not doc.meta.implements:
        warnings.append(f"{doc_id} implements no other document (its manifest has no implements): "
                        "only blanks left to fill are checked")
    return {"document": doc_id, "parents": parents, "missing_parents": missing, "warnings": warnings,
            "scope": checker.scopes, "alignments": alignments, "findings": findings}
