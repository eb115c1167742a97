"""``Datacenter``: one region's VPC built from ``DatacenterProps``.

The seed's datacenter becomes:
- ``public`` subnets: the internet-facing load balancer and the NAT gateways;
- ``dmz`` subnets: private, egress through NAT; they hold the portal (Apache) instances;
- ``internal`` subnets: no route to the internet; they hold the shared file system and the database.
A network ACL on the internal tier admits only the DMZ ranges (and peer datacenters' DMZ ranges) on NFS and
MySQL, plus the return traffic. An existing network is adopted instead with ``ImportedDatacenter`` (from an
``ExistingNetwork``); both expose ``IDatacenter``.
"""

from __future__ import annotations

from cdktf import Fn
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_availability_zones import (
    DataAwsAvailabilityZones,
    DataAwsAvailabilityZonesFilter,
)
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.network_acl import NetworkAcl
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc
from constructs import Construct

from ..iam import assume_role_policy, policy_document
from .base import DatacenterBase
from .internal_acl import InternalTierRules
from .props import TIERS, DatacenterProps


class Datacenter(DatacenterBase):
    """One region's VPC: three subnet tiers over ``az_count`` AZs, IGW, NAT, routes, internal NACL, flow logs.

    Attributes (``IDatacenter``): provider, name, region, name_prefix, resource_name
    (``{name_prefix}-{name}``), adopted (False), az_count, vpc_id, vpc_cidr, azs (names, or tokens read from
    the region), public/dmz/internal_subnet_ids and _cidrs (in AZ order), dmz_route_table_ids (one per AZ),
    internal_route_table_ids (one), internal_nacl_id. Also the built resources: vpc, public_route_table_id,
    nat_gateway_ids, internal_nacl.
    """

    def __init__(self, scope: Construct, id: str, *, props: DatacenterProps, provider: AwsProvider) -> None:
        super().__init__(scope, id, provider=provider, name=props.name, region=props.region,
                         name_prefix=props.name_prefix, az_count=props.az_count, adopted=False)
        self.props = props
        self._vpc(props, provider)
        self._subnets(props, provider)
        igw = self._public_tier(provider)
        self._dmz_tier(provider, self._nat_gateways(props, provider, igw))
        self._internal_tier(provider)
        self._internal_firewall(provider)
        if props.flow_logs:
            self._flow_logs(props, self.resource_name, provider)

    def _vpc(self, props: DatacenterProps, provider: AwsProvider) -> None:
        """The VPC, its AZs (given, or the region's first available ones) and its closed default security group."""
        base = self.resource_name
        self.vpc = Vpc(
            self, "vpc", provider=provider, cidr_block=props.cidr,
            enable_dns_hostnames=True, enable_dns_support=True, tags={"Name": f"{base}-vpc"},
        )
        self.vpc_id = self.vpc.id
        self.vpc_cidr = props.cidr

        if props.azs is not None:
            self.azs = list(props.azs)
        else:
            zones = DataAwsAvailabilityZones(
                self, "azs", provider=provider, state="available",
                filter=[DataAwsAvailabilityZonesFilter(name="opt-in-status", values=["opt-in-not-required"])],
            )
            self.azs = [Fn.element(zones.names, i) for i in range(props.az_count)]

        # Strip the default security group: nothing may rely on it.
        DefaultSecurityGroup(self, "default-sg", provider=provider, vpc_id=self.vpc_id,
                             tags={"Name": f"{base}-default-closed"})

    def _subnets(self, props: DatacenterProps, provider: AwsProvider) -> None:
        """One subnet per tier and AZ, with the tier's ranges."""
        base = self.resource_name
        cidrs = props.tier_cidrs()
        self.public_cidrs, self.dmz_cidrs, self.internal_cidrs = cidrs["public"], cidrs["dmz"], cidrs["internal"]
        subnets: dict[str, list[Subnet]] = {}
        for tier in TIERS:
            subnets[tier] = [
                Subnet(
                    self, f"{tier}-{i}", provider=provider, vpc_id=self.vpc_id, cidr_block=cidrs[tier][i],
                    availability_zone=self.azs[i], map_public_ip_on_launch=False,
                    tags={"Name": f"{base}-{tier}-{i}", "Tier": tier},
                )
                for i in range(props.az_count)
            ]
        self.public_subnet_ids = [s.id for s in subnets["public"]]
        self.dmz_subnet_ids = [s.id for s in subnets["dmz"]]
        self.internal_subnet_ids = [s.id for s in subnets["internal"]]

    def _public_tier(self, provider: AwsProvider) -> InternetGateway:
        """Public tier: one route table, default route to the internet gateway (returned)."""
        base = self.resource_name
        igw = InternetGateway(self, "igw", provider=provider, vpc_id=self.vpc_id, tags={"Name": f"{base}-igw"})
        public_rt = RouteTable(self, "public-rt", provider=provider, vpc_id=self.vpc_id,
                               tags={"Name": f"{base}-public", "Tier": "public"})
        Route(self, "public-default", provider=provider, route_table_id=public_rt.id,
              destination_cidr_block="0.0.0.0/0", gateway_id=igw.id)
        for i, subnet_id in enumerate(self.public_subnet_ids):
            RouteTableAssociation(self, f"public-rta-{i}", provider=provider, subnet_id=subnet_id,
                                  route_table_id=public_rt.id)
        self.public_route_table_id = public_rt.id
        return igw

    def _nat_gateways(self, props: DatacenterProps, provider: AwsProvider, igw: InternetGateway) -> list[str]:
        """NAT: one per AZ by default, so an AZ outage never takes the other AZs' egress with it."""
        base = self.resource_name
        nat_count = 1 if props.single_nat_gateway else props.az_count
        nat_ids: list[str] = []
        for i in range(nat_count):
            eip = Eip(self, f"nat-eip-{i}", provider=provider, domain="vpc", tags={"Name": f"{base}-nat-{i}"},
                      depends_on=[igw])
            nat = NatGateway(self, f"nat-{i}", provider=provider, allocation_id=eip.id,
                             subnet_id=self.public_subnet_ids[i], tags={"Name": f"{base}-nat-{i}"},
                             depends_on=[igw])
            nat_ids.append(nat.id)
        self.nat_gateway_ids = nat_ids
        return nat_ids

    def _dmz_tier(self, provider: AwsProvider, nat_ids: list[str]) -> None:
        """DMZ tier: a route table per AZ, default route through that AZ's NAT."""
        base = self.resource_name
        self.dmz_route_table_ids = []
        for i, subnet_id in enumerate(self.dmz_subnet_ids):
            rt = RouteTable(self, f"dmz-rt-{i}", provider=provider, vpc_id=self.vpc_id,
                            tags={"Name": f"{base}-dmz-{i}", "Tier": "dmz"})
            Route(self, f"dmz-default-{i}", provider=provider, route_table_id=rt.id,
                  destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat_ids[i % len(nat_ids)])
            RouteTableAssociation(self, f"dmz-rta-{i}", provider=provider, subnet_id=subnet_id, route_table_id=rt.id)
            self.dmz_route_table_ids.append(rt.id)

    def _internal_tier(self, provider: AwsProvider) -> None:
        """Internal tier: one route table with only the local route. No path to the internet, by design."""
        base = self.resource_name
        internal_rt = RouteTable(self, "internal-rt", provider=provider, vpc_id=self.vpc_id,
                                 tags={"Name": f"{base}-internal", "Tier": "internal"})
        for i, subnet_id in enumerate(self.internal_subnet_ids):
            RouteTableAssociation(self, f"internal-rta-{i}", provider=provider, subnet_id=subnet_id,
                                  route_table_id=internal_rt.id)
        self.internal_route_table_ids = [internal_rt.id]

    def _internal_firewall(self, provider: AwsProvider) -> None:
        """Internal firewall (stateless layer): only DMZ ranges on NFS/MySQL in, return traffic out."""
        base = self.resource_name
        self.internal_nacl = NetworkAcl(self, "internal-nacl", provider=provider, vpc_id=self.vpc_id,
                                        subnet_ids=self.internal_subnet_ids,
                                        tags={"Name": f"{base}-internal", "Tier": "internal"})
        self.internal_nacl_id = self.internal_nacl.id
        self._rules = InternalTierRules(self, provider=provider, network_acl_id=self.internal_nacl.id)
        for cidr in self.dmz_cidrs:
            self.allow_into_internal_tier(cidr)

    def allow_into_internal_tier(self, cidr: str) -> None:
        """Admit ``cidr`` into the internal subnets on NFS and MySQL, and let the replies back out.

        Used for this datacenter's DMZ ranges and, in multi-DC stacks, for peer datacenters' DMZ ranges.
        """
        self._rules.allow(cidr)

    def _flow_logs(self, props: DatacenterProps, base: str, provider: AwsProvider) -> None:
        log_group = CloudwatchLogGroup(
            self, "flow-log-group", provider=provider, name=f"/{props.name_prefix}/{props.name}/vpc-flow-logs",
            retention_in_days=props.flow_log_retention_days,
        )
        role = IamRole(
            self, "flow-log-role", provider=provider, name=f"{base}-flow-logs",
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
        )
        IamRolePolicy(
            self, "flow-log-policy", provider=provider, name="write-flow-logs", role=role.id,
            policy=policy_document({
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": f"{log_group.arn}:*",
            }),
        )
        self.flow_log = FlowLog(
            self, "flow-log", provider=provider, vpc_id=self.vpc_id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=log_group.arn, iam_role_arn=role.arn,
            max_aggregation_interval=60, tags={"Name": f"{base}-flow-log"},
        )
        self.flow_log_group_name: str = log_group.name
