"""Fixtures the tooling tests share."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's cdktf.json, read through PORTAL_HA_CONFIG; operations journal in tmp_path."""
    path = tmp_path / "cdktf.json"
    path.write_text((ROOT / "cdktf.json").read_text())
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(path))
    monkeypatch.chdir(tmp_path)
    return path
