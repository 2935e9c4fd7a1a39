"""Settings are declared once and documented; the CLI stays light."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from policykg.settings import SETTINGS, Settings


def test_every_setting_is_documented_in_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in readme, f"README.md does not document {setting.env}"


def test_environment_and_overrides(monkeypatch):
    monkeypatch.setenv("POLICYKG_STORE", "/tmp/somewhere")
    assert Settings.from_env().store == "/tmp/somewhere"
    assert Settings.from_env(store="/x").store == "/x"
    from policykg.kg.store import local_folder

    remote = Settings.from_env(store="sparql+http://127.0.0.1:8890/sparql", index_dir="")
    assert str(local_folder(remote.store, remote)).startswith(".policykg-remote")
    assert local_folder("/tmp/kg", remote) == Path("/tmp/kg")


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from policykg.cli import app; "
            "heavy = [m for m in ('torch', 'sentence_transformers', 'spacy', 'fastapi') if m in sys.modules]; "
            "print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
