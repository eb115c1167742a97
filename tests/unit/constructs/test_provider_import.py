"""constructs_lib.provider_import: the provider bindings load only the resources used, every type still resolves,
and nothing the loader does outlives the process (no altered bytecode on disk)."""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from constructs_lib import provider_import

SPEC = importlib.util.find_spec(provider_import.PACKAGE)
if SPEC is None or SPEC.origin is None:
    raise RuntimeError("the provider bindings are not installed: ./scripts/setup installs them")
INIT = Path(SPEC.origin)
ROOT = INIT.parent
REPO = Path(__file__).resolve().parents[3]


def _pinned() -> tuple[str, list[str]]:
    """The installed package's __init__.py split as the loader splits it."""
    split = provider_import.split_eager_imports(INIT.read_text())
    assert split is not None, "the provider's __init__.py no longer ends with its import block: see provider_import"
    return split


def test_the_pinned_bindings_end_with_one_import_per_resource_and_the_loader_finds_them_all():
    head, names = _pinned()
    modules = sorted(path.parent.name for path in ROOT.glob("*/__init__.py") if not path.parent.name.startswith("_"))
    assert sorted(names) == modules
    assert len(names) == 2135
    assert "from . import" not in head
    assert "publication.publish()" in head


@pytest.mark.parametrize("source", [
    "x = 1\n",  # no block at all
    f"x = 1\n{provider_import.EAGER_MARK}from . import vpc\nprint('after')\n",  # code after the block
    f"x = 1\n{provider_import.EAGER_MARK}from . import vpc\nimport os\nfrom . import subnet\n",  # code inside it
    f"x = 1\n{provider_import.EAGER_MARK}\n",  # an empty block
])
def test_a_source_of_another_shape_is_left_to_the_normal_import(source):
    assert provider_import.split_eager_imports(source) is None


def test_a_block_of_imports_is_split_from_the_code_before_it():
    source = f"x = 1\n{provider_import.EAGER_MARK}from . import vpc\nfrom . import data_aws_ami\n\n"
    assert provider_import.split_eager_imports(source) == ("x = 1\n", ["vpc", "data_aws_ami"])


def test_every_submodule_name_maps_to_the_jsii_name_its_own_types_declare():
    """The runtime imports a type's module on demand from this map, so every entry must be exact."""
    declared = re.compile(r'jsii_type="@cdktf/provider-aws\.([A-Za-z0-9]+)\.')
    wrong = []
    for name in _pinned()[1]:
        with (ROOT / name / "__init__.py").open() as handle:
            match = declared.search(handle.read(200_000))
        if match is None or match.group(1) != provider_import.jsii_submodule(name):
            wrong.append((name, match and match.group(1)))
    assert wrong == []


def test_a_type_of_a_submodule_not_yet_imported_resolves_through_the_runtime():
    from jsii import _reference_map

    package = importlib.import_module(provider_import.PACKAGE)  # constructs_lib (imported above) installed the loader
    assert hasattr(package, "__getattr__"), "the provider package was imported eagerly in this process"
    unloaded = next(name for name in reversed(_pinned()[1]) if f"{provider_import.PACKAGE}.{name}" not in sys.modules)
    module = f"{provider_import.PACKAGE}.{unloaded}"
    fqn_prefix = f"{provider_import.ASSEMBLY}.{provider_import.jsii_submodule(unloaded)}."
    assert not any(fqn.startswith(fqn_prefix) for fqn in _reference_map._types)
    assert _reference_map._try_import_type_module(f"{fqn_prefix}Anything")
    assert module in sys.modules
    assert any(fqn.startswith(fqn_prefix) for fqn in _reference_map._types)


_PROBE = """
import json, sys
import constructs_lib
from cdktf_cdktf_provider_aws.vpc import Vpc
import cdktf_cdktf_provider_aws as top
bucket = top.s3_bucket.S3Bucket  # PEP 562: an attribute of the package imports its module
loaded = sorted(m for m in sys.modules if m.startswith("cdktf_cdktf_provider_aws.") and m.count(".") == 1)
print(json.dumps({"loaded": loaded, "bucket": bucket.__module__}))
"""


def _probe(env: dict[str, str]) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", _PROBE], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_process_loads_only_the_resources_it_uses_and_writes_no_altered_bytecode():
    cached = Path(importlib.util.cache_from_source(str(INIT)))
    before = cached.read_bytes() if cached.exists() else None
    seen = _probe({provider_import.OPT_OUT: "0"})
    assert seen["bucket"] == f"{provider_import.PACKAGE}.s3_bucket"
    assert seen["loaded"] == [f"{provider_import.PACKAGE}.{name}" for name in ("_jsii", "_private", "s3_bucket", "vpc")]
    after = cached.read_bytes() if cached.exists() else None
    assert after == before, "the loader wrote the altered package code as the package's bytecode"


def test_the_opt_out_leaves_the_import_as_shipped(monkeypatch):
    monkeypatch.setenv(provider_import.OPT_OUT, "1")
    monkeypatch.delitem(sys.modules, provider_import.PACKAGE, raising=False)  # as in a process before its import
    monkeypatch.setattr(sys, "meta_path", [f for f in sys.meta_path if not isinstance(f, provider_import._Finder)])
    assert provider_import.install() is False
    assert not any(isinstance(f, provider_import._Finder) for f in sys.meta_path)
