"""The public API of constructs_lib: typed, exported through ``__all__``, documented; and mypy --strict over the
whole project (the library, the cdktf app, the tooling) and the examples."""

from __future__ import annotations

import ast
import dataclasses
import importlib.util
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import constructs_lib

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "constructs_lib"


def _mypy_strict(*targets: str) -> subprocess.CompletedProcess[str]:
    # The cache (.mypy_cache, git-ignored) makes later runs take a second or two; a cold run takes about 30 s
    # (pyproject.toml says why the provider's top-level package is skipped). mypy is a dev dependency: without it
    # this fails (not skips).
    assert importlib.util.find_spec("mypy") is not None, "mypy is not installed: ./scripts/setup installs it"
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir", str(REPO / ".mypy_cache"),
         *targets],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )


def test_mypy_strict_passes_on_the_library_the_app_and_the_tooling():
    result = _mypy_strict()  # the packages of pyproject.toml's [tool.mypy]: constructs_lib, stacks, portal_ha
    assert result.returncode == 0, f"mypy --strict found problems:\n{result.stdout}{result.stderr}"


@pytest.mark.parametrize("example", ["existing-vpc", "three-region", "custom-stack"])
def test_user_code_type_checks_against_the_public_api(example):
    """The examples are user code: under mypy --strict every name they import is exported and typed."""
    result = _mypy_strict(f"examples/{example}/main.py")
    assert result.returncode == 0, f"mypy --strict found problems:\n{result.stdout}{result.stderr}"


def _provider_top_level_imports(source: str) -> list[int]:
    """Lines of ``source`` that reach provider names through the top-level package."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module == "cdktf_cdktf_provider_aws" and node.level == 0:
            lines.append(node.lineno)
        elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "cdktf_cdktf_provider_aws"
                                                  for alias in node.names):
            # `import cdktf_cdktf_provider_aws.vpc` binds the skipped top-level name: its attributes are Any too
            lines.append(node.lineno)
    return lines


def test_provider_bindings_are_imported_by_submodule_so_mypy_types_them():
    """mypy skips the provider's top-level package (pyproject.toml): a name imported from it would be Any."""
    sources = [path for folder in ("constructs_lib", "stacks", "portal_ha", "examples", "tests", "benchmarks")
               for path in sorted((REPO / folder).rglob("*.py"))]
    assert len(sources) > 100
    found = [f"{path.relative_to(REPO)}:{line}" for path in sources
             for line in _provider_top_level_imports(path.read_text())]
    assert found == [], f"import provider resources by submodule (cdktf_cdktf_provider_aws.vpc), not: {found}"


def _any_uses(source: str) -> list[int]:
    """Lines naming ``typing.Any`` (``Any``, ``typing.Any``, ``t.Any``), in code, not in text."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if (isinstance(node, ast.Name) and node.id == "Any")
            or (isinstance(node, ast.Attribute) and node.attr == "Any")
            or (isinstance(node, ast.alias) and node.name == "Any")]


def test_the_tooling_holds_no_value_typed_any():
    """Outside the emulator (which patches moto's untyped internals), portal_ha types every value: boto3 clients
    through the types-boto3 stubs, JSON through json_value, the deployment through stacks.manifest. mypy's
    disallow_any_explicit (pyproject.toml) keeps it so; this counts what that check could be switched off for."""
    sources = [p for p in sorted((REPO / "portal_ha").rglob("*.py")) if "emulator" not in p.relative_to(REPO).parts]
    assert len(sources) > 30
    found = [f"{p.relative_to(REPO)}:{line}" for p in sources for line in _any_uses(p.read_text())]
    assert found == [], f"Any in the tooling: {found}"
    assert _any_uses("from typing import Any\nx: Any = 1\nimport typing\ny: typing.Any = 2\n") == [1, 2, 4]


def test_the_top_level_import_rule_sees_both_forms():
    source = ("from cdktf_cdktf_provider_aws import vpc\nimport cdktf_cdktf_provider_aws\n"
              "from cdktf_cdktf_provider_aws.vpc import Vpc\nimport cdktf_cdktf_provider_aws.vpc\n")
    assert _provider_top_level_imports(source) == [1, 2, 4]


def test_package_is_marked_typed():
    assert (PACKAGE / "py.typed").is_file()


def _type_checking_names() -> set[str]:
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                names.update(alias.asname or alias.name for alias in statement.names)
    return names


def test_all_lists_every_lazy_export_and_the_type_checking_imports_match():
    exports = set(constructs_lib._EXPORTS)
    assert set(constructs_lib.__all__) == exports | {"ConfigError"}
    assert len(constructs_lib.__all__) == len(set(constructs_lib.__all__))
    assert _type_checking_names() == exports, "keep the TYPE_CHECKING imports in sync with _EXPORTS"
    for name in ("ExistingNetwork", "Datacenter", "PortalDatacenter", "PortalFleet", "DatacenterLoadBalancer",
                 "SharedFileSystem", "DatabaseCluster", "GlobalDatabase", "DatacenterMesh", "GlobalLoadBalancer"):
        assert name in exports


def test_every_export_resolves_to_the_object_of_its_module():
    for name, module in constructs_lib._EXPORTS.items():
        value = getattr(constructs_lib, name)
        assert value.__module__.startswith(f"constructs_lib{module}"), name
    with pytest.raises(AttributeError):
        constructs_lib.NoSuchConstruct  # noqa: B018


def _field_docstrings(cls: type) -> dict[str, str | None]:
    """Field name -> the string literal that follows its annotation in the body of the class that declares it
    (the class itself or a dataclass it inherits from); None if absent."""
    docs: dict[str, str | None] = {}
    for owner in reversed([c for c in cls.__mro__ if dataclasses.is_dataclass(c)]):
        tree = ast.parse(inspect.getsource(inspect.getmodule(owner)))  # type: ignore[arg-type]
        (node,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner.__name__]
        for i, statement in enumerate(node.body):
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                following = node.body[i + 1] if i + 1 < len(node.body) else None
                is_doc = (isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                          and isinstance(following.value.value, str))
                docs[statement.target.id] = following.value.value if is_doc else None  # type: ignore[union-attr]
    return docs


@pytest.mark.parametrize("name", sorted(set(constructs_lib.__all__)))
def test_public_class_is_documented_and_its_props_say_what_the_default_does(name):
    value = getattr(constructs_lib, name)
    assert inspect.getdoc(value), f"{name} has no docstring"
    if not (inspect.isclass(value) and dataclasses.is_dataclass(value)):
        return
    docs = _field_docstrings(value)
    for field in dataclasses.fields(value):
        doc = docs.get(field.name)
        assert doc, f"{name}.{field.name} has no docstring"
        has_default = (field.default is not dataclasses.MISSING
                       or field.default_factory is not dataclasses.MISSING)
        if has_default:
            assert "default" in doc.lower(), f"{name}.{field.name}: say what its default does"
