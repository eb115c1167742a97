"""Plain facts about one stack, read from what it synthesizes (through ``constructs_lib.synthesized``): its
datacenters, storage, ingress rules and global load-balancer entries. The HA rules read only these.

A datacenter is one AWS provider alias (the stacks give each datacenter its own aliased provider); the HA
rules about AZs, instances, DB nodes, NAT and health checks apply to the aliases that hold a VPC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..synthesized import Resource, SynthesizedStack, as_bool, as_int, block, group_placement


@dataclass(frozen=True)
class InstanceFacts:
    """One EC2 instance: where it runs and how its metadata service is set."""

    name: str
    az: str | None
    """Its availability zone (explicit, or its subnet's); None when unknown."""
    http_tokens: str | None = "required"
    http_endpoint: str | None = "enabled"
    path: str | None = None


@dataclass(frozen=True)
class GroupFacts:
    """An EC2 Auto Scaling group: the instances it keeps, where, and how it decides one is unhealthy."""

    name: str
    min_size: int | None
    subnet_azs: tuple[str | None, ...]
    """The AZ of each of its subnets (AWS spreads the group's instances evenly over them)."""
    health_check_type: str | None
    """``ELB`` or ``EC2`` (None: left out, which AWS takes as EC2)."""
    target_groups: int
    """Target groups it registers its instances in (its own ``target_group_arns`` and attachments)."""
    path: str | None = None

    @property
    def azs(self) -> tuple[str, ...]:
        """The distinct AZs its ``min_size`` instances occupy (as many as there are instances, at most)."""
        placed = group_placement([az for az in self.subnet_azs if az is not None], self.min_size or 0)
        return tuple(dict.fromkeys(placed))


@dataclass(frozen=True)
class DbClusterFacts:
    """One Aurora/RDS cluster and the AZs of its instances (None: an instance with no explicit AZ)."""

    name: str
    node_azs: tuple[str | None, ...]
    deletion_protection: bool | None = True
    path: str | None = None


@dataclass(frozen=True)
class TargetGroupFacts:
    """A load balancer target group's health check (None: left to the AWS default)."""

    name: str
    enabled: bool | None = True
    interval: int | None = None
    unhealthy_threshold: int | None = None
    path: str | None = None


@dataclass(frozen=True)
class LoadBalancerFacts:
    name: str
    ref: str
    """The Terraform name, as other resources reference it (``aws_lb.<ref>.dns_name``)."""
    internal: bool = False
    path: str | None = None


@dataclass(frozen=True)
class DatacenterFacts:
    """What one datacenter (one provider alias) synthesizes."""

    name: str
    region: str | None = None
    has_network: bool = True
    """True when the alias holds a VPC: the HA rules about AZs, instances, DB and NAT apply."""
    azs: tuple[str, ...] = ()
    """Distinct AZs of its subnets (as written: names or Terraform expressions)."""
    nat_azs: tuple[str | None, ...] = ()
    """AZ of each NAT gateway (its subnet's)."""
    instances: tuple[InstanceFacts, ...] = ()
    groups: tuple[GroupFacts, ...] = ()
    db_clusters: tuple[DbClusterFacts, ...] = ()
    target_groups: tuple[TargetGroupFacts, ...] = ()
    load_balancers: tuple[LoadBalancerFacts, ...] = ()
    path: str | None = None


@dataclass(frozen=True)
class StorageFacts:
    """Something storing data at rest: an EFS, an RDS cluster, an EBS volume (root, data or standalone)."""

    kind: str
    """``efs``, ``rds-cluster``, ``rds-global-cluster``, ``ebs-root``, ``ebs-data`` or ``ebs-volume``."""
    name: str
    datacenter: str
    encrypted: bool | None
    path: str | None = None


@dataclass(frozen=True)
class IngressFacts:
    """One ingress permission: a protocol and port range from one source range."""

    datacenter: str
    cidr: str
    protocol: str
    """``tcp``, ``udp``, ``icmp``, ``-1`` (all), or a protocol number."""
    from_port: int | None
    to_port: int | None
    description: str = ""
    path: str | None = None


@dataclass(frozen=True)
class GlobalEntryFacts:
    """A global load balancer's way to a datacenter's load balancer (a Route 53 record or a GA endpoint)."""

    kind: str
    """``route53`` (an alias record) or ``global-accelerator`` (an endpoint group endpoint)."""
    target_lb: str
    """The Terraform name of the ``aws_lb`` it sends users to."""
    health_checked: bool
    path: str | None = None
    serving: bool = True
    """False for an evacuated datacenter: a Route 53 health check tagged ``Evacuated`` with no record, or a
    Global Accelerator endpoint group dialled to 0."""


@dataclass(frozen=True)
class GlobalDatabaseFacts:
    name: str
    deletion_protection: bool | None
    encrypted: bool | None
    path: str | None = None


@dataclass(frozen=True)
class StackFacts:
    """Everything the rules read about one stack."""

    name: str
    datacenters: tuple[DatacenterFacts, ...] = ()
    storage: tuple[StorageFacts, ...] = ()
    ingress: tuple[IngressFacts, ...] = ()
    global_entries: tuple[GlobalEntryFacts, ...] = ()
    global_databases: tuple[GlobalDatabaseFacts, ...] = ()
    launch_templates: tuple[InstanceFacts, ...] = ()
    """Launch templates' metadata options (``az`` is None), for IMDSv2."""

    @property
    def network_datacenters(self) -> tuple[DatacenterFacts, ...]:
        return tuple(dc for dc in self.datacenters if dc.has_network)


@dataclass
class _Datacenter:
    """What is collected per datacenter while reading."""

    vpc_paths: list[str | None] = field(default_factory=list)
    azs: list[str] = field(default_factory=list)
    nat_azs: list[str | None] = field(default_factory=list)
    instances: list[InstanceFacts] = field(default_factory=list)
    groups: list[GroupFacts] = field(default_factory=list)
    db_clusters: list[DbClusterFacts] = field(default_factory=list)
    target_groups: list[TargetGroupFacts] = field(default_factory=list)
    load_balancers: list[LoadBalancerFacts] = field(default_factory=list)


class _Reader:
    """Reads ``StackFacts`` out of one synthesized stack, one concern per method."""

    def __init__(self, stack: SynthesizedStack) -> None:
        self.stack = stack
        self.per_dc: dict[str, _Datacenter] = {}
        self.storage: list[StorageFacts] = []
        self.subnet_az = {s.name: s.get("availability_zone") for s in self._all("aws_subnet")}

    def _all(self, *rtypes: str) -> list[Resource]:
        """In the document's order, as the constructs made them (findings follow that order)."""
        return self.stack.resources(*rtypes, by_name=False)

    def dc(self, resource: Resource) -> _Datacenter:
        return self.per_dc.setdefault(resource.datacenter, _Datacenter())

    def az_via_subnet(self, resource: Resource) -> str | None:
        az = resource.get("availability_zone")
        if isinstance(az, str):
            return az
        subnet = self.stack.referenced(resource.get("subnet_id"), "aws_subnet")
        found = self.subnet_az.get(subnet.name) if subnet is not None else None
        return found if isinstance(found, str) else None

    def network(self) -> None:
        for vpc in self._all("aws_vpc"):
            self.dc(vpc).vpc_paths.append(vpc.path)
        for subnet in self._all("aws_subnet"):
            az = subnet.get("availability_zone")
            if isinstance(az, str):
                self.dc(subnet).azs.append(az)
        for nat in self._all("aws_nat_gateway"):
            self.dc(nat).nat_azs.append(self.az_via_subnet(nat))

    def compute(self) -> list[InstanceFacts]:
        for instance in self._all("aws_instance"):
            name = instance.display_name()
            metadata = instance.block("metadata_options")
            self.dc(instance).instances.append(InstanceFacts(
                name=name, az=self.az_via_subnet(instance), http_tokens=metadata.get("http_tokens"),
                http_endpoint=metadata.get("http_endpoint"), path=instance.path))
            root = instance.block("root_block_device")
            self.storage.append(StorageFacts("ebs-root", name, instance.datacenter, as_bool(root.get("encrypted")),
                                             instance.path))
            for device in instance.blocks("ebs_block_device"):
                label = f"{name} {device.get('device_name', '')}".strip()
                self.storage.append(StorageFacts("ebs-data", label, instance.datacenter,
                                                 as_bool(device.get("encrypted")), instance.path))
        attached: dict[str, int] = {}
        for attachment in self._all("aws_autoscaling_attachment"):
            group = self.stack.referenced(attachment.get("autoscaling_group_name"), "aws_autoscaling_group")
            if group is not None and attachment.get("lb_target_group_arn"):
                attached[group.name] = attached.get(group.name, 0) + 1
        for group in self._all("aws_autoscaling_group"):
            subnets = group.get("vpc_zone_identifier")
            subnet_azs = []
            for ref in subnets if isinstance(subnets, list) else []:
                subnet = self.stack.referenced(ref, "aws_subnet")
                az = self.subnet_az.get(subnet.name) if subnet is not None else None
                subnet_azs.append(az if isinstance(az, str) else None)
            own = group.get("target_group_arns")
            self.dc(group).groups.append(GroupFacts(
                name=group.display_name("name"), min_size=as_int(group.get("min_size")),
                subnet_azs=tuple(subnet_azs), health_check_type=group.get("health_check_type"),
                target_groups=(len(own) if isinstance(own, list) else 0) + attached.get(group.name, 0),
                path=group.path))
        templates = []
        for template in self._all("aws_launch_template"):
            metadata = template.block("metadata_options")
            name = template.display_name("name")
            templates.append(InstanceFacts(
                name=name, az=None, http_tokens=metadata.get("http_tokens"),
                http_endpoint=metadata.get("http_endpoint"), path=template.path))
            for mapping in template.blocks("block_device_mappings"):
                ebs = block(mapping.get("ebs"))
                if ebs:
                    self.storage.append(StorageFacts(
                        "ebs-volume", f"{name} {mapping.get('device_name', '')}", template.datacenter,
                        as_bool(ebs.get("encrypted")), template.path))
        return templates

    def databases(self) -> list[GlobalDatabaseFacts]:
        node_azs: dict[str, list[str | None]] = {}
        for node in self._all("aws_rds_cluster_instance"):
            cluster = self.stack.referenced(node.get("cluster_identifier"), "aws_rds_cluster")
            if cluster is not None:
                az = node.get("availability_zone")
                node_azs.setdefault(cluster.name, []).append(az if isinstance(az, str) else None)
        for cluster in self._all("aws_rds_cluster"):
            name = cluster.display_name("cluster_identifier")
            self.dc(cluster).db_clusters.append(DbClusterFacts(
                name=name, node_azs=tuple(node_azs.get(cluster.name, ())),
                deletion_protection=as_bool(cluster.get("deletion_protection")), path=cluster.path))
            self.storage.append(StorageFacts("rds-cluster", name, cluster.datacenter,
                                             as_bool(cluster.get("storage_encrypted")), cluster.path))
        found = []
        for glob in self._all("aws_rds_global_cluster"):
            encrypted = as_bool(glob.get("storage_encrypted"))
            if encrypted is None and glob.get("source_db_cluster_identifier"):
                encrypted = True  # a global cluster made from a cluster inherits its (checked) encryption
            found.append(GlobalDatabaseFacts(
                name=glob.display_name("global_cluster_identifier"),
                deletion_protection=as_bool(glob.get("deletion_protection")), encrypted=encrypted,
                path=glob.path))
        return found

    def file_storage(self) -> None:
        for fs in self._all("aws_efs_file_system"):
            self.storage.append(StorageFacts("efs", fs.display_name("creation_token"), fs.datacenter,
                                             as_bool(fs.get("encrypted")), fs.path))
        for volume in self._all("aws_ebs_volume"):
            self.storage.append(StorageFacts("ebs-volume", volume.display_name(), volume.datacenter,
                                             as_bool(volume.get("encrypted")), volume.path))

    def load_balancing(self) -> None:
        for group in self._all("aws_lb_target_group", "aws_alb_target_group"):
            check = group.block("health_check")
            self.dc(group).target_groups.append(TargetGroupFacts(
                name=group.display_name("name"),
                enabled=as_bool(check.get("enabled")) if "enabled" in check else True,
                interval=as_int(check.get("interval")),
                unhealthy_threshold=as_int(check.get("unhealthy_threshold")), path=group.path))
        for lb in self._all("aws_lb", "aws_alb"):
            self.dc(lb).load_balancers.append(LoadBalancerFacts(
                name=lb.display_name("name"), ref=lb.name, internal=as_bool(lb.get("internal")) is True,
                path=lb.path))

    def ingress(self) -> list[IngressFacts]:
        found: list[IngressFacts] = []

        def add(resource: Resource, cidr: str, rule: Mapping[str, Any], protocol_key: str) -> None:
            found.append(IngressFacts(
                resource.datacenter, cidr, str(rule.get(protocol_key, "")).lower(), as_int(rule.get("from_port")),
                as_int(rule.get("to_port")), str(rule.get("description", "")), resource.path))

        for rule in self._all("aws_vpc_security_group_ingress_rule"):
            for key in ("cidr_ipv4", "cidr_ipv6"):
                if isinstance(rule.get(key), str):
                    add(rule, rule.get(key), rule.body, "ip_protocol")
        for rule in self._all("aws_security_group_rule"):
            if rule.get("type") == "ingress":
                for cidr in [*(rule.get("cidr_blocks") or []), *(rule.get("ipv6_cidr_blocks") or [])]:
                    add(rule, cidr, rule.body, "protocol")
        for group in self._all("aws_security_group"):
            for inline in group.blocks("ingress"):
                for cidr in [*(inline.get("cidr_blocks") or []), *(inline.get("ipv6_cidr_blocks") or [])]:
                    add(group, cidr, inline, "protocol")
        return found

    def global_entries(self) -> list[GlobalEntryFacts]:
        found = []
        for record in self._all("aws_route53_record"):
            for alias in record.blocks("alias"):
                target = self.stack.referenced(alias.get("name"), "aws_lb", "aws_alb")
                if target is not None:
                    found.append(GlobalEntryFacts("route53", target.name, bool(record.get("health_check_id")),
                                                  record.path))
        for group in self._all("aws_globalaccelerator_endpoint_group"):
            for endpoint in group.blocks("endpoint_configuration"):
                target = self.stack.referenced(endpoint.get("endpoint_id"), "aws_lb", "aws_alb")
                if target is not None:
                    # Endpoint groups always health-check their endpoints (TCP by default).
                    found.append(GlobalEntryFacts("global-accelerator", target.name, True, group.path,
                                                  serving=group.get("traffic_dial_percentage") != 0))
        for check in self._all("aws_route53_health_check"):
            if (check.get("tags") or {}).get("Evacuated") == "true":
                target = self.stack.referenced(check.get("fqdn"), "aws_lb", "aws_alb")
                if target is not None:
                    found.append(GlobalEntryFacts("route53", target.name, True, check.path, serving=False))
        return found

    def datacenters(self) -> tuple[DatacenterFacts, ...]:
        found = []
        for name in sorted(set(self.stack.datacenters) | set(self.per_dc)):
            collected = self.per_dc.get(name)
            if collected is None:
                continue
            first = collected.vpc_paths[0] if collected.vpc_paths else None
            found.append(DatacenterFacts(
                name=name, region=self.stack.region_of(name), has_network=bool(collected.vpc_paths),
                azs=tuple(dict.fromkeys(collected.azs)), nat_azs=tuple(collected.nat_azs),
                instances=tuple(collected.instances), groups=tuple(collected.groups),
                db_clusters=tuple(collected.db_clusters),
                target_groups=tuple(collected.target_groups), load_balancers=tuple(collected.load_balancers),
                path=first.rsplit("/", 1)[0] if first else None))
        return tuple(found)


def facts_from(document: Mapping[str, Any], stack_name: str = "stack") -> StackFacts:
    """Read ``StackFacts`` from a synthesized stack (``stack.to_terraform()`` or a parsed ``cdk.tf.json``)."""
    reader = _Reader(SynthesizedStack(stack_name, document))
    reader.network()
    templates = reader.compute()
    global_databases = reader.databases()
    reader.file_storage()
    reader.load_balancing()
    return StackFacts(
        name=stack_name, datacenters=reader.datacenters(), storage=tuple(reader.storage),
        ingress=tuple(reader.ingress()), global_entries=tuple(reader.global_entries()),
        global_databases=tuple(global_databases), launch_templates=tuple(templates))
