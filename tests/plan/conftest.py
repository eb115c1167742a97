"""Plan harness: an in-process moto server, terraform init (provider mirror) and plan of each stack, once.

Used by every plan-level test: snapshots, checkov, examples.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portal_ha import terraform, toolchain
from portal_ha.emulator import CREDENTIALS, HOST, free_port


@pytest.fixture(scope="session")
def moto_endpoint():
    """A moto server on a free loopback port for this test session."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    yield f"http://{HOST}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def tf_env(moto_endpoint, tmp_path_factory) -> dict[str, str]:
    """Terraform env: the provider mirror CLI config, and the AWS provider pointed at moto."""
    env = toolchain.terraform_env(tmp_path_factory.mktemp("portal-ha-state"))
    env.update({"AWS_ENDPOINT_URL": moto_endpoint, **CREDENTIALS, "TF_IN_AUTOMATION": "1"})
    return env


class Planner:
    """Plans each stack of a cdktf.out folder once and caches the ``terraform show -json`` result."""

    def __init__(self, outdir: Path, env: dict[str, str]) -> None:
        self.outdir, self.env = outdir, env
        self._plans: dict[str, dict[str, Any]] = {}

    def plan(self, arch: str) -> dict[str, Any]:
        if arch not in self._plans:
            directory = terraform.stack_dir(self.outdir, arch)
            terraform.init(directory, self.env)
            self._plans[arch] = terraform.plan_json(directory, self.env)
        return self._plans[arch]


@pytest.fixture(scope="session")
def planner(synth_outdir, tf_env) -> Planner:
    return Planner(synth_outdir, tf_env)
