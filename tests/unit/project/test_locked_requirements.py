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


def test_the_build_requirement_is_locked_so_a_synced_venv_can_build_the_wheel_offline():
    """uv pip sync removes what the lock does not name; the wheel test builds with --no-isolation from .venv, so
    the lock must hold a setuptools that satisfies [build-system] requires (a clean clone failed without it)."""
    import tomllib

    from packaging.requirements import Requirement

    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]["requires"]
    lock = json.loads((REPO / "Pipfile.lock").read_text())["default"]
    for requirement in map(Requirement, requires):
        assert requirement.name in lock, f"Pipfile.lock does not pin {requirement.name}, which the build needs"
        assert requirement.specifier.contains(lock[requirement.name]["version"].lstrip("=")), requirement


def test_the_local_extra_pins_the_moto_the_emulator_is_tested_with_and_dev_includes_it():
    """README: pip install 'portal-ha[local]' gives the emulator what it imports; the lock installs the same."""
    import tomllib

    from packaging.requirements import Requirement

    from portal_ha.emulator.requirements import TESTED_MOTO

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    local = {r.name: r for r in map(Requirement, extras["local"])}
    assert set(local) == {"moto", "werkzeug"}
    assert str(local["moto"].specifier) == f"=={TESTED_MOTO}" and local["moto"].extras == {"server"}
    assert "portal-ha[local]" in extras["dev"]
    assert not [r for r in extras["dev"] if Requirement(r).name in local], "a pin of the local extra is repeated"
    lock = json.loads((REPO / "Pipfile.lock").read_text())["default"]
    for name, requirement in local.items():
        assert requirement.specifier.contains(lock[name]["version"].lstrip("=")), (name, lock[name]["version"])
