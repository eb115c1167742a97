"""``single-dc``: the seed's single-datacenter HA architecture in one region."""

from __future__ import annotations

from constructs import Construct
from constructs_lib.datacenter import Datacenter, DatacenterProps

from .base import PortalStack
from .settings import ArchitectureSettings, DatacenterSettings, Settings


def datacenter_props(settings: Settings, dc: DatacenterSettings) -> DatacenterProps:
    return DatacenterProps(
        name=dc.name, region=dc.region, cidr=dc.cidr, az_count=dc.az_count, azs=dc.azs,
        single_nat_gateway=dc.single_nat_gateway, flow_log_retention_days=dc.flow_log_retention_days,
        name_prefix=settings.name_prefix,
    )


class SingleDcStack(PortalStack):
    """One datacenter: network, portal fleet behind an NLB, shared file system and a 3-node DB cluster."""

    def __init__(self, scope: Construct, settings: Settings, arch: ArchitectureSettings) -> None:
        super().__init__(scope, settings, arch)
        dc = arch.datacenters[0]
        network = Datacenter(self, dc.name, props=datacenter_props(settings, dc), provider=self.providers[dc.name])
        self.output(f"{dc.name}_vpc_id", network.vpc_id, f"VPC id of datacenter {dc.name} ({dc.region})")
        self.output(f"{dc.name}_dmz_subnet_ids", network.dmz_subnet_ids,
                    f"Subnets of the DMZ tier (portal instances) of {dc.name}")
        self.output(f"{dc.name}_internal_subnet_ids", network.internal_subnet_ids,
                    f"Subnets of the internal tier (EFS, DB) of {dc.name}")
