"""Load the AWS provider bindings' top-level package without importing all 2,135 of its resource modules.

``cdktf_cdktf_provider_aws/__init__.py`` (20.1.0, built by an older jsii-pacmak) ends with one ``from . import x``
per resource, so that every type registers with the jsii runtime. Importing any single resource therefore imports
them all: about 20 s of CPU per process on this project's machines, paid by every ``cdktf synth`` and every
``python -m stacks`` (measured; hashicorp/terraform-cdk#3753 reports the same).

jsii itself has since replaced that block with PEP 562 lazy loading (aws/jsii#5110), and its runtime (1.142, the
version locked here) imports the module of a type on demand from a submodule map (aws/jsii#5179). This module gives
the pinned bindings the same shape at import time: it runs the package's own ``__init__.py`` without its trailing
import block, adds a module ``__getattr__`` for the submodules, and registers each submodule's jsii name with the
runtime. Nothing on disk changes and no bytecode is written for the altered code.

If the package's source no longer ends with that block (newer bindings are lazy already), or the jsii runtime
has no submodule map, the package is imported exactly as shipped. ``PORTAL_HA_EAGER_PROVIDER=1`` turns this off.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

PACKAGE = "cdktf_cdktf_provider_aws"
ASSEMBLY = "@cdktf/provider-aws"
OPT_OUT = "PORTAL_HA_EAGER_PROVIDER"
EAGER_MARK = "# Loading modules to ensure their types are registered with the jsii runtime library\n"
_IMPORT_LINE = re.compile(r"from \. import ([a-z0-9_]+)\n")


def split_eager_imports(source: str) -> tuple[str, list[str]] | None:
    """The source before its trailing ``from . import x`` block and the names in it; None if it has no such block
    or anything else follows it."""
    head, mark, tail = source.partition(EAGER_MARK)
    if not mark:
        return None
    names: list[str] = []
    position = 0
    for match in _IMPORT_LINE.finditer(tail):
        if tail[position:match.start()].strip():
            return None
        names.append(match.group(1))
        position = match.end()
    if not names or tail[position:].strip():
        return None
    return head, names


def jsii_submodule(name: str) -> str:
    """The jsii submodule of a Python module name: ``data_aws_ami`` -> ``dataAwsAmi`` (pacmak snake-cases it)."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _submodule_map() -> dict[str, str] | None:
    from jsii import _reference_map  # the runtime's own on-demand import table (aws/jsii#5179)

    table = getattr(_reference_map, "_submodule_fqn_map", None)
    return table if isinstance(table, dict) else None


def _lazy_getattr(package: str, names: frozenset[str]) -> Callable[[str], ModuleType]:
    def __getattr__(name: str) -> ModuleType:  # noqa: N807 (PEP 562)
        if name in names:
            return importlib.import_module(f"{package}.{name}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


class _LazyPackageLoader(importlib.machinery.SourceFileLoader):
    def exec_module(self, module: ModuleType) -> None:
        split = split_eager_imports(self.get_data(self.path).decode("utf-8"))
        table = _submodule_map() if split is not None else None
        if split is None or table is None:
            super().exec_module(module)  # as shipped
            return
        head, names = split
        exec(compile(head, self.path, "exec", dont_inherit=True), module.__dict__)  # noqa: S102 (the package's own code)
        public = sys.modules[module.__name__]  # publication.publish() replaced the module with its public face
        public.__getattr__ = _lazy_getattr(module.__name__, frozenset(names))  # type: ignore[method-assign]
        table.update({f"{ASSEMBLY}.{jsii_submodule(name)}": f"{module.__name__}.{name}" for name in names})


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.origin is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return spec
        spec.loader = _LazyPackageLoader(fullname, spec.origin)
        return spec


def install() -> bool:
    """Put the lazy loader in front of the provider package's import; False if it is already imported, already
    installed, or turned off."""
    if PACKAGE in sys.modules or os.environ.get(OPT_OUT) == "1":
        return False
    if any(isinstance(finder, _Finder) for finder in sys.meta_path):
        return False
    sys.meta_path.insert(0, _Finder())
    return True
