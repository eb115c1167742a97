"""``single-dc``: the seed's single-datacenter HA architecture in one region.

Network over 3 AZs, 2 portal instances in the DMZ behind an internet-facing NLB, and in the internal zone
an encrypted EFS (mounted on every instance) and a 3-node Aurora MySQL cluster.
"""

from __future__ import annotations

from constructs import Construct

from constructs_lib.errors import required

from .assembly import ArchitecturePlan
from .base import PortalStack
from .manifest import Manifest
from .settings import Settings


class SingleDcStack(PortalStack):
    """One datacenter: network, portal fleet behind an NLB, shared file system and a 3-node DB cluster."""

    def __init__(self, scope: Construct, settings: Settings, plan: ArchitecturePlan) -> None:
        super().__init__(scope, settings, plan)
        from constructs_lib.portal_datacenter import PortalDatacenter

        arch = plan.arch
        dc = arch.datacenters[0]
        props = plan.datacenters[dc.name]
        pdc = PortalDatacenter(self, dc.name, props=props, provider=self.providers[dc.name],
                               replica_provider=self.replica_provider(props))
        manifest = self.datacenter_outputs(pdc, required(pdc.database, "single-dc builds its database"))
        self.output("portal_url", pdc.portal_url, "URL of API Portal (the datacenter's NLB; add your DNS name)")
        self.manifest_output(Manifest(architecture=arch.name, datacenters=(manifest,)))
