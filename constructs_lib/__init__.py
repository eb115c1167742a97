"""portal-ha constructs: Axway API Portal in high availability on AWS, for CDK for Terraform (Python).

Names are imported lazily, so ``constructs_lib.errors`` (and config validation) stays cheap: loading the
provider bindings costs about 10 s per process and happens only when a construct is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ConfigError

if TYPE_CHECKING:
    from .datacenter import Datacenter, DatacenterProps, SubnetCidrs

_EXPORTS = {
    "Datacenter": ".datacenter",
    "DatacenterProps": ".datacenter",
    "SubnetCidrs": ".datacenter",
}

__all__ = ["ConfigError", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)
