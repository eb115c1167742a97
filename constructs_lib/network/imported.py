"""``ImportedDatacenter``: an existing network (``ExistingNetwork``) adopted read-only: the one way to adopt a
network (aws-cdk's ``Vpc.fromVpcAttributes``); ``PortalDatacenter`` uses it for ``props.network=ExistingNetwork``."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from .base import DatacenterBase
from .existing import ExistingNetwork
from .internal_acl import InternalTierRules


class ImportedDatacenter(DatacenterBase):
    """An existing VPC and its subnets, with the same attributes as a built ``Datacenter`` (``IDatacenter``).

    Creates no VPC, subnet, route table, route, NAT or internet gateway, flow log or default security group
    resource: only network ACL rules, and only in ``network.internal_nacl_id`` when it is given (this
    datacenter's DMZ ranges now, peers' through ``allow_into_internal_tier``). ``provider`` is the
    ``AwsProvider`` of ``network.region``, used by every construct built on this datacenter.
    """

    def __init__(self, scope: Construct, id: str, *, network: ExistingNetwork, provider: AwsProvider) -> None:
        super().__init__(scope, id, provider=provider, name=network.name, region=network.region,
                         name_prefix=network.name_prefix, az_count=network.az_count, adopted=True)
        self.props = network
        self.vpc = None
        self.vpc_id: str = network.vpc_id
        self.vpc_cidr: str = network.vpc_cidr
        self.azs: list[str] = list(network.azs)
        self.public_subnet_ids: list[str] = list(network.public_subnet_ids)
        self.dmz_subnet_ids: list[str] = list(network.dmz_subnet_ids)
        self.internal_subnet_ids: list[str] = list(network.internal_subnet_ids)
        self.public_cidrs: list[str] = list(network.public_cidrs)
        self.dmz_cidrs: list[str] = list(network.dmz_cidrs)
        self.internal_cidrs: list[str] = list(network.internal_cidrs)
        self.public_route_table_id: str | None = None
        self.nat_gateway_ids: list[str] = []
        self.dmz_route_table_ids: list[str] = list(network.dmz_route_table_ids)
        self.internal_route_table_ids: list[str] = list(network.internal_route_table_ids)
        self.internal_nacl = None
        self.internal_nacl_id: str | None = network.internal_nacl_id
        self._rules = None if network.internal_nacl_id is None else InternalTierRules(
            self, provider=provider, network_acl_id=network.internal_nacl_id,
            first_rule_number=network.internal_nacl_first_rule_number)
        for cidr in self.dmz_cidrs:
            self.allow_into_internal_tier(cidr)

    def allow_into_internal_tier(self, cidr: str) -> None:
        """Admit ``cidr`` into the internal subnets on NFS and MySQL (and the replies out), in
        ``internal_nacl_id``. Without one this does nothing: the existing ACLs must already admit ``cidr``."""
        if self._rules is not None:
            self._rules.allow(cidr)
