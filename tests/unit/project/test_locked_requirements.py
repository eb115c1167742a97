"""scripts/locked_requirements.py: Pipfile.lock, as the requirements file scripts/setup installs with uv."""

from __future__ import annotations

import importlib.util
import json

import pytest

from tests.conftest import REPO


def _module():
    spec = importlib.util.spec_from_file_location("locked_requirements", REPO / "scripts" / "locked_requirements.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/locked_requirements.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_locked_package_is_pinned_with_all_its_hashes_but_the_project_itself():
    lock = json.loads((REPO / "Pipfile.lock").read_text())
    lines = {line.split("==", 1)[0]: line for line in _module().requirement_lines(lock)}
    locked = {name: pin for name, pin in lock["default"].items() if "path" not in pin}
    assert set(lines) == set(locked)
    assert "portal-ha" not in lines  # installed editable on its own
    for name, pin in locked.items():
        assert lines[name].startswith(f"{name}{pin['version']}")
        assert all(f"--hash={digest}" in lines[name] for digest in pin["hashes"]), name
        if pin.get("markers"):
            assert f" ; {pin['markers']} " in lines[name], name


def test_a_package_without_hashes_is_refused_by_name():
    lock = {"default": {"moto": {"version": "==5.2.5", "hashes": []}}}
    with pytest.raises(ValueError, match="Pipfile.lock: moto has no pinned version with hashes: run pipenv lock"):
        _module().requirement_lines(lock)
