"""A datacenter's network: built from ``DatacenterProps`` (``Datacenter(props=...)``) or adopted from an
``ExistingNetwork`` (``ImportedDatacenter(network=...)``, the one way to adopt a network), both exposing
``IDatacenter``. The props describe; only the constructs create (the props import no construct)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .existing import ExistingNetwork
from .props import TIERS, DatacenterProps, SubnetCidrs

if TYPE_CHECKING:  # the constructs load the provider bindings (about 7 s): only when first used
    from .datacenter import Datacenter
    from .imported import ImportedDatacenter
    from .interface import IDatacenter

_LAZY = {"Datacenter": ".datacenter", "ImportedDatacenter": ".imported", "IDatacenter": ".interface"}

__all__ = ["TIERS", "Datacenter", "DatacenterProps", "ExistingNetwork", "IDatacenter", "ImportedDatacenter",
           "SubnetCidrs"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
