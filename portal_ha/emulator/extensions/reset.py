"""moto's reset (``POST /moto-api/reset``, moto's own API, not an AWS one): every backend dropped, without first
being built again. What any AWS API answers after a reset is unchanged: empty, as moto promises.

moto 5.2's ``BackendDict.reset`` re-creates every backend in place (``BaseBackend.reset``: ``__init__`` again)
and then drops them all from its dictionaries, so the next request builds each one afresh anyway. The in-place
rebuild serves only code that kept a reference to an old backend across the reset; moto looks backends up per
request, and so do this project's extensions. It is not cheap: each rebuilt EC2 backend loads moto's 1299 AMIs
(with a volume and a snapshot each, 0.25 s), each IAM backend the AWS managed policies, one per partition.
Measured on the emulator's server: 0.4 to 1.3 s per reset, the whole of the emulator tests' per-test setup.

A backend class that overrides ``reset`` to release what it holds (S3's temporary files, Batch's threads)
still has it called; only the bare re-``__init__`` of ``BaseBackend.reset`` is left out.
"""

from __future__ import annotations

from typing import Any

from .patch import Patch


def patches() -> list[Patch]:
    from moto.core.base_backend import BackendDict, BaseBackend, backend_lock

    def reset(cls: Any) -> None:
        services: list[Any] = BackendDict._instances  # type: ignore[misc]  # moto's registry of BackendDicts
        with backend_lock:
            for service in services:
                for account in service.values():
                    for backend in account.values():
                        if type(backend).reset is not BaseBackend.reset:
                            backend.reset()
                service.clear()
            services.clear()

    return [Patch(BackendDict, "reset", classmethod(reset))]
