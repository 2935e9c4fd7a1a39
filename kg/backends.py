"""Choose the graph store a setting names and write a built graph into it."""
from __future__ import annotations

from pathlib import Path

from policykg.errors import StoreMissing
from policykg.settings import Settings


def write_graph(ctx) -> None:
    """Build stage: the graph goes into the embedded store of the new folder (or the remote store)."""
    from policykg.kg.build import GRAPH_DIR
    from policykg.kg.store import OxigraphStore

    if ctx.settings.store_is_remote:
        from policykg.kg.remote import RemoteSparqlStore

        RemoteSparqlStore.from_settings(ctx.settings).load_graph(ctx.graph)
        return
    store = OxigraphStore.create(ctx.workdir / GRAPH_DIR)
    store.load_graph(ctx.graph)
    del store


def open_graph(settings: Settings, folder: Path):
    """The read-only graph store of a built store folder."""
    from policykg.kg.build import GRAPH_DIR, is_store
    from policykg.kg.store import OxigraphStore

    if not is_store(folder):
        raise StoreMissing(settings.store)
    if settings.store_is_remote:
        from policykg.kg.remote import RemoteSparqlStore

        return RemoteSparqlStore.from_settings(settings)
    return OxigraphStore(folder / GRAPH_DIR)
