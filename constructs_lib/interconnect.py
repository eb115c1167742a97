"""DatacenterMesh: the network between datacenters, as an inter-region VPC peering mesh.

The seed's "network between the datacenters" becomes, for every pair of datacenters:
- one VPC peering connection, requested from the first datacenter's region and accepted in the second's
  (``peer_region``: the peering crosses regions; the accepter resource uses the peer's provider);
- routes to the peer's VPC range through that connection in every DMZ and internal route table of both sides;
- network ACL rules on each internal tier admitting the peers' DMZ ranges on NFS and MySQL (the portal
  instances of every datacenter mount the primary datacenter's shared file system and reach the database).

Security groups cannot reference a group in another region, so stacks add CIDR-based security group rules
for the peers' DMZ ranges: ``peer_dmz_cidrs(dc_name)`` gives them.

The validation (:func:`check_no_overlap` and the mesh rules) is plain Python. This module loads the
provider bindings (about 10 s a process) only when a mesh is built, so settings can import it cheaply.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from constructs import Construct

from .errors import Problem, Problems, Ref
from .interconnect_props import (
    DEFAULT_NACL_RULES_PER_DIRECTION,
    MAX_NACL_RULES_PER_DIRECTION,
    MIN_DATACENTERS,
    DatacenterMeshProps,
    check_mesh_members,
    check_no_overlap,
    merge_cidrs,
)

__all__ = ["DEFAULT_NACL_RULES_PER_DIRECTION", "MAX_NACL_RULES_PER_DIRECTION", "MIN_DATACENTERS", "DatacenterMesh",
           "DatacenterMeshProps", "check_mesh_members", "check_no_overlap", "merge_cidrs"]

if TYPE_CHECKING:
    from .network.interface import IDatacenter

# AWS quota "inbound or outbound rules per network ACL": 20 by default, adjustable up to 40.
class DatacenterMesh(Construct):
    """A full mesh of inter-region VPC peerings between ``datacenters``, with routes and internal-tier NACL rules.

    For each pair (i < j): a peering requested with datacenter i's provider (``peer_region`` = j's region,
    ``auto_accept=False``) and accepted with datacenter j's provider (``auto_accept=True``); routes to j's VPC
    range in each of i's DMZ and internal route tables and to i's range in j's, created after the acceptance.

    Attributes:
        pairs: ``[(requester name, accepter name), ...]`` in creation order.
        peering_connection_ids: ``{(requester name, accepter name): peering connection id}`` (tokens).

    Works on the local emulator (moto), which implements cross-region peering and its accepter.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        datacenters: Sequence[IDatacenter],
        props: DatacenterMeshProps = DatacenterMeshProps(),
    ) -> None:
        dcs = list(datacenters)
        problems = Problems()
        problems.extend(check_mesh_members([(dc.name, dc.region, dc.vpc_cidr) for dc in dcs]))
        if not problems.items and props.allow_peers_into_internal_tier:
            for dc in dcs:
                peers = merge_cidrs([c for other in dcs if other is not dc for c in other.dmz_cidrs])
                own = sorted(set(dc.dmz_cidrs))
                ingress_rules = 2 * (len(own) + len(peers))  # one rule per port (NFS, MySQL) per range
                problems.check(
                    ingress_rules <= props.max_nacl_rules_per_direction,
                    Problem(f"datacenters[{dc.name}]", fix=f"internal NACL would need {ingress_rules} inbound rules "
                            f"({len(own)} own and {len(peers)} peer DMZ range(s) x 2 ports), above {{0}} "
                            f"{props.max_nacl_rules_per_direction}: use fewer AZs or datacenters, or raise the AWS "
                            "quota and set max_nacl_rules_per_direction",
                            refs=(Ref("mesh.max_nacl_rules_per_direction"),)),
                )
        problems.raise_if_any()

        super().__init__(scope, id)
        # Loaded here, not at import: validation above must stay free of the provider bindings (about 7 s to load).
        from cdktf_cdktf_provider_aws.route import Route
        from cdktf_cdktf_provider_aws.vpc_peering_connection import VpcPeeringConnection
        from cdktf_cdktf_provider_aws.vpc_peering_connection_accepter import VpcPeeringConnectionAccepterA

        self.props = props
        self._datacenters = dcs
        prefix = props.name_prefix or dcs[0].name_prefix
        self.pairs: list[tuple[str, str]] = []
        self.peering_connection_ids: dict[tuple[str, str], str] = {}

        for i, requester in enumerate(dcs):
            for accepter in dcs[i + 1:]:
                pair = (requester.name, accepter.name)
                label = f"{requester.name}-to-{accepter.name}"
                name = f"{prefix}-{label}"
                # Requester and accepter manage the tags of one connection: identical tags on both sides,
                # overriding each provider's Datacenter default tag, so neither undoes the other's.
                tags = {"Name": name, "Datacenter": f"{requester.name}+{accepter.name}"}
                peering = VpcPeeringConnection(
                    self, f"{label}-peering", provider=requester.provider,
                    vpc_id=requester.vpc_id, peer_vpc_id=accepter.vpc_id, peer_region=accepter.region,
                    auto_accept=False, tags=tags,
                )
                peering_id: str = peering.id
                acceptance = VpcPeeringConnectionAccepterA(
                    self, f"{label}-accepter", provider=accepter.provider,
                    vpc_peering_connection_id=peering_id, auto_accept=True,
                    tags=tags,
                )
                # Both sides route through the connection once it is active, i.e. after the acceptance.
                for near, far in ((requester, accepter), (accepter, requester)):
                    tables = [("dmz", k, rt) for k, rt in enumerate(near.dmz_route_table_ids)]
                    tables += [("internal", k, rt) for k, rt in enumerate(near.internal_route_table_ids)]
                    for tier, k, route_table_id in tables:
                        Route(
                            self, f"{near.name}-{tier}-{k}-to-{far.name}", provider=near.provider,
                            route_table_id=route_table_id, destination_cidr_block=far.vpc_cidr,
                            vpc_peering_connection_id=peering_id, depends_on=[acceptance],
                        )
                self.pairs.append(pair)
                self.peering_connection_ids[pair] = peering_id

        if props.allow_peers_into_internal_tier:
            for dc in dcs:
                for cidr in self.peer_dmz_cidrs(dc.name):
                    dc.allow_into_internal_tier(cidr)

    def peer_dmz_cidrs(self, dc_name: str) -> list[str]:
        """The DMZ ranges of every datacenter except ``dc_name``, adjacent subnets merged (same addresses).

        For CIDR-based security group rules: security groups cannot reference groups across regions.
        """
        names = [dc.name for dc in self._datacenters]
        if dc_name not in names:
            raise KeyError(f"{dc_name!r} is not a datacenter of this mesh: use one of {', '.join(names)}")
        return merge_cidrs([c for dc in self._datacenters if dc.name != dc_name for c in dc.dmz_cidrs])
