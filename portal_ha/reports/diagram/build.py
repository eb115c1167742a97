"""Builds the diagram model of a synthesized stack: every group, node and link comes from a resource in
``cdk.tf.json``, so the picture cannot drift from what Terraform deploys."""

from __future__ import annotations

import ipaddress
import re

from constructs_lib.synthesized import Resource, SynthesizedStack, az_label

from .model import Diagram, Group, Node

TIERS = (
    ("public", "public subnets"),
    ("dmz", "DMZ subnets"),
    ("internal", "internal subnets (no internet route)"),
)


def _name(resource: Resource, fallback: str) -> str:
    return resource.tag("Name") or str(resource.get("identifier") or resource.get("name") or fallback)


def _firewall(stack: SynthesizedStack, sg: Resource | None, port: int) -> Group | None:
    """A security group as a boundary, labelled with who may come in on ``port``."""
    if sg is None:
        return None
    sources: list[str] = []
    for rule in stack.resources("aws_vpc_security_group_ingress_rule"):
        if stack.referenced(rule.get("security_group_id")) != sg or rule.get("from_port") != port:
            continue
        peer = stack.referenced(rule.get("referenced_security_group_id"))
        if peer is not None:
            sources.append(_name(peer, peer.name))
        elif rule.get("cidr_ipv4"):
            sources.append(str(rule.get("cidr_ipv4")))
    world = "0.0.0.0/0" in sources
    described = "anywhere" if world else ", ".join(s for s in sources if "/" not in s)
    cidrs = [s for s in sources if "/" in s and s != "0.0.0.0/0"]
    if cidrs:
        described += (" + " if described else "") + f"{len(cidrs)} CIDR range{'s' if len(cidrs) > 1 else ''}"
    return Group(f"fw:{sg.address}", f"firewall {_name(sg, sg.name)}: {port} from {described or 'nobody'}",
                 "firewall")


_STORAGE = {"efs": "shared EFS", "data-volume": "local volume", "root-volume": "root volume"}


def _storage_mode(stack: SynthesizedStack, instance: Resource) -> str:
    """Where the portal keeps its shared paths, from the header the user-data template writes."""
    match = re.search(r"Storage mode: ([\w-]+)", stack.user_data(instance))
    return _STORAGE.get(match.group(1), match.group(1)) if match else "unknown storage"


def build(stack: SynthesizedStack) -> Diagram:
    """The diagram model of one synthesized stack."""
    return _Builder(stack).build()


def _first(stack: SynthesizedStack, values: object) -> Resource | None:
    """The resource the first reference of a list points at (``vpc_security_group_ids`` and the like)."""
    return stack.referenced(values[0]) if isinstance(values, list) and values else None


class _Builder:
    """Walks the stack once per part of the picture: datacenters, replication, traffic, peering."""

    def __init__(self, stack: SynthesizedStack) -> None:
        self.stack = stack
        count = len(stack.datacenters)
        self.diagram = Diagram(f"{stack.name}: API Portal in {count} datacenter{'s' if count > 1 else ''}")
        self.regions: dict[str, Group] = {}
        self.instances: dict[str, list[Node]] = {dc: [] for dc in stack.datacenters}
        self.nlbs: dict[str, Node] = {}
        self.file_systems: dict[str, Node] = {}
        self.databases: dict[str, Node] = {}
        self.peerings: dict[frozenset[str], Node] = {}

    def build(self) -> Diagram:
        self.diagram.nodes.append(Node("users", "Users", "users"))
        for dc in self.stack.datacenters:
            self._datacenter(dc)
        self._replication()
        self._global_entry()
        self._load_balancing()
        self._peering()
        self._data_access()
        return self.diagram

    def _mine(self, rtype: str, dc: str) -> list[Resource]:
        return [r for r in self.stack.resources(rtype) if self.stack.datacenter_of(r) == dc]

    def _guarded(self, parent: Group, sg: Resource | None, port: int) -> Group:
        """The firewall group for ``sg`` inside ``parent`` (made once), or ``parent`` without one."""
        firewall = _firewall(self.stack, sg, port)
        if firewall is None:
            return parent
        for existing in parent.groups:
            if existing.id == firewall.id:
                return existing
        parent.groups.append(firewall)
        return firewall

    def _datacenter(self, dc: str) -> None:
        """Region > VPC > the three tiers > firewalls > NLB, instances, EFS, Aurora endpoint and nodes."""
        stack = self.stack
        region_name = str(stack.region_of(dc))
        region = Group(f"region:{dc}", f"{dc} · {region_name}", "region")
        self.regions[region_name] = region
        self.diagram.groups.append(region)
        vpcs = self._mine("aws_vpc", dc)
        vpc = Group(f"vpc:{dc}", f"{dc} VPC {vpcs[0].get('cidr_block')}" if vpcs else f"{dc} VPC (existing)",
                    "vpc")
        region.groups.append(vpc)
        subnets = self._mine("aws_subnet", dc)
        tiers: dict[str, Group] = {}
        for tier, description in TIERS:
            count = sum(1 for s in subnets if s.tag("Tier") == tier)
            tiers[tier] = Group(f"tier:{dc}:{tier}", f"{dc} {description}" + (f", {count} AZs" if count else ""),
                                "tier")
            vpc.groups.append(tiers[tier])

        for lb in self._mine("aws_lb", dc):
            listeners = [x for x in stack.resources("aws_lb_listener")
                         if stack.referenced(x.get("load_balancer_arn")) == lb]
            ports = ", ".join(f"{x.get('protocol')} {x.get('port')}" for x in listeners)
            node = Node(_name(lb, lb.name), f"{_name(lb, lb.name)}\nNLB · {ports}", "nlb")
            self.nlbs[lb.address] = node
            self._guarded(tiers["public"], _first(stack, lb.get("security_groups")), 443).nodes.append(node)

        for instance in self._mine("aws_instance", dc):
            subnet = stack.referenced(instance.get("subnet_id"))
            az = az_label(subnet.get("availability_zone")) if subnet else "unknown AZ"
            name = _name(instance, instance.name)
            node = Node(name, f"{name}\n{az} · {_storage_mode(stack, instance)}", "instance")
            self.instances[dc].append(node)
            sg = _first(stack, instance.get("vpc_security_group_ids"))
            self._guarded(tiers["dmz"], sg, 443).nodes.append(node)

        for group in self._mine("aws_autoscaling_group", dc):
            template = stack.referenced(group.block("launch_template").get("id"), "aws_launch_template")
            zones = len(group.get("vpc_zone_identifier") or [])
            name = _name(group, group.name)
            node = Node(name, f"{name}\nAuto Scaling group · {group.get('min_size')} to {group.get('max_size')} "
                        f"instances over {zones} AZs · {_storage_mode(stack, group)}", "instance")
            self.instances[dc].append(node)
            sg = _first(stack, template.get("vpc_security_group_ids")) if template is not None else None
            self._guarded(tiers["dmz"], sg, 443).nodes.append(node)

        replicas = [stack.referenced(r.block("destination").get("file_system_id"), "aws_efs_file_system")
                    for r in stack.resources("aws_efs_replication_configuration")]
        replica_addresses = {fs.address for fs in replicas if fs is not None}
        for fs in self._mine("aws_efs_file_system", dc):
            if fs.address in replica_addresses:  # drawn by _replication, as the read-only copy
                continue
            targets = [t for t in stack.resources("aws_efs_mount_target")
                       if stack.referenced(t.get("file_system_id")) == fs]
            sg = _first(stack, targets[0].get("security_groups")) if targets else None
            node = Node(_name(fs, fs.name), f"{_name(fs, fs.name)}\nEFS · {len(targets)} mount targets", "efs")
            self.file_systems[fs.address] = node
            self._guarded(tiers["internal"], sg, 2049).nodes.append(node)

        for cluster in self._mine("aws_rds_cluster", dc):
            identifier = str(cluster.get("cluster_identifier"))
            role = "Aurora global member" if cluster.get("global_cluster_identifier") else "Aurora cluster"
            endpoint = Node(identifier, f"{identifier}\n{role} · endpoint", "aurora-cluster")
            self.databases[cluster.address] = endpoint
            holder = self._guarded(tiers["internal"], _first(stack, cluster.get("vpc_security_group_ids")), 3306)
            holder.nodes.append(endpoint)
            for member in stack.resources("aws_rds_cluster_instance"):
                if stack.referenced(member.get("cluster_identifier")) == cluster:
                    name = str(member.get("identifier"))
                    holder.nodes.append(Node(name, f"{name}\n{az_label(member.get('availability_zone'))}",
                                             "aurora-node"))
                    self.diagram.link(identifier, name, dashed=True)

    def _replication(self) -> None:
        """The EFS replica (read-only) and the Aurora global database (replication, write forwarding)."""
        stack = self.stack
        for replication in stack.resources("aws_efs_replication_configuration"):
            source_fs = stack.referenced(replication.get("source_file_system_id"))
            source = self.file_systems.get(source_fs.address) if source_fs else None
            destination = replication.block("destination").get("region")
            if source is None or destination is None:
                continue
            replica = Node(f"{source.id}-replica", f"EFS replica (read-only)\n{destination}", "efs-replica")
            holder = self.regions.get(destination)
            if holder is None:
                holder = Group(f"region:{destination}", f"replica region · {destination}", "region")
                self.regions[destination] = holder
                self.diagram.groups.append(holder)
            holder.nodes.append(replica)
            self.diagram.link(source.id, replica.id, "EFS replication", dashed=True)
        clusters = stack.resources("aws_rds_cluster")
        primaries = [c for c in clusters if c.get("global_cluster_identifier") and c.get("master_username")]
        if not primaries:
            return
        primary = self.databases[primaries[0].address]
        for secondary in clusters:
            if secondary.get("global_cluster_identifier") and secondary.address != primaries[0].address:
                node = self.databases[secondary.address]
                self.diagram.link(primary.id, node.id, "Aurora global replication", dashed=True)
                if secondary.get("enable_global_write_forwarding"):
                    self.diagram.link(node.id, primary.id, "write forwarding", dashed=True)

    def _global_entry(self) -> None:
        """Users reach the NLBs through Route 53 records or Global Accelerator (or directly, one DC)."""
        stack = self.stack
        accelerators = stack.resources("aws_globalaccelerator_accelerator")
        records = [r for r in stack.resources("aws_route53_record") if r.get("set_identifier")]
        if accelerators:
            node = Node("global-accelerator", "Global Accelerator\nanycast IPs · health checks", "accelerator")
            self.diagram.nodes.append(node)
            self.diagram.link("users", node.id, "TCP 443")
            for group in stack.resources("aws_globalaccelerator_endpoint_group"):
                for endpoint in group.blocks("endpoint_configuration"):
                    nlb = stack.referenced(endpoint.get("endpoint_id"))
                    if nlb is not None and nlb.address in self.nlbs:
                        self.diagram.link(node.id, self.nlbs[nlb.address].id,
                                          str(group.get("endpoint_group_region")))
        if records:
            policy = "latency" if records[0].get("latency_routing_policy") else "failover"
            node = Node("route53", f"{records[0].get('name')}\nRoute 53 · {policy} records", "route53")
            self.diagram.nodes.append(node)
            self.diagram.link("users", node.id, "DNS")
            for record in records:
                nlb = stack.referenced(record.block("alias").get("name"))
                if nlb is not None and nlb.address in self.nlbs:
                    checked = " + health check" if record.get("health_check_id") else ""
                    self.diagram.link(node.id, self.nlbs[nlb.address].id,
                                      f"{record.get('set_identifier')}{checked}")
        if not records and not accelerators:
            for nlb_node in self.nlbs.values():
                self.diagram.link("users", nlb_node.id, "HTTPS 443")

    def _load_balancing(self) -> None:
        """NLB -> instance, for every target registered in a target group that a listener forwards to."""
        stack = self.stack
        for attachment in stack.resources("aws_lb_target_group_attachment"):
            group = stack.referenced(attachment.get("target_group_arn"))
            instance = stack.referenced(attachment.get("target_id"))
            for listener in stack.resources("aws_lb_listener"):
                actions = listener.blocks("default_action")
                forwards = [stack.referenced(a.get("target_group_arn")) for a in actions]
                lb = stack.referenced(listener.get("load_balancer_arn"))
                if group in forwards and lb is not None and instance is not None and lb.address in self.nlbs:
                    self.diagram.link(self.nlbs[lb.address].id, _name(instance, instance.name),
                                      f"TCP {attachment.get('port')}")

        for attachment in stack.resources("aws_autoscaling_attachment"):
            group = stack.referenced(attachment.get("autoscaling_group_name"), "aws_autoscaling_group")
            target_group = stack.referenced(attachment.get("lb_target_group_arn"))
            for listener in stack.resources("aws_lb_listener"):
                forwards = [stack.referenced(a.get("target_group_arn")) for a in listener.blocks("default_action")]
                lb = stack.referenced(listener.get("load_balancer_arn"))
                if target_group in forwards and lb is not None and group is not None and lb.address in self.nlbs:
                    self.diagram.link(self.nlbs[lb.address].id, _name(group, group.name),
                                      f"TCP {target_group.get('port') if target_group else ''}".strip())

    def _peering(self) -> None:
        for peering in self.stack.resources("aws_vpc_peering_connection"):
            a = self.stack.datacenter_of(peering)
            b = next((dc for dc in self.stack.datacenters
                      if dc != a and self.stack.region_of(dc) == peering.get("peer_region")), None)
            if b is not None:
                node = Node(f"peering-{a}-{b}", f"VPC peering\n{a} ↔ {b}", "peering")
                self.peerings[frozenset((a, b))] = node
                self.diagram.nodes.append(node)

    def _reach(self, dc: str, target_dc: str, target: Node, label: str) -> None:
        """Every instance of ``dc`` -> ``target``, through the peering when ``target`` is in another DC."""
        for instance in self.instances[dc]:
            if dc == target_dc:
                self.diagram.link(instance.id, target.id, label)
            elif frozenset((dc, target_dc)) in self.peerings:
                via = self.peerings[frozenset((dc, target_dc))]
                self.diagram.link(instance.id, via.id, label)
                self.diagram.link(via.id, target.id, label)

    def _data_access(self) -> None:
        """Instances -> the EFS their user data mounts; instances -> their own DC's cluster, whose firewall
        admits the portal's security group (secondaries forward writes, so MySQL never crosses DCs)."""
        stack = self.stack
        for instance in stack.resources("aws_instance", "aws_autoscaling_group"):
            user_data = stack.user_data(instance)
            for address, efs in self.file_systems.items():
                owner = stack.resource(address)
                if owner is not None and "${" + address + ".id}" in user_data:
                    self._reach(stack.datacenter_of(instance), stack.datacenter_of(owner), efs, "NFS 2049 (TLS)")
        ingress = stack.resources("aws_vpc_security_group_ingress_rule")
        for address, endpoint in self.databases.items():
            cluster = stack.resource(address)
            sg = _first(stack, cluster.get("vpc_security_group_ids")) if cluster else None
            if cluster is None or sg is None:
                continue
            rules = [r for r in ingress if stack.referenced(r.get("security_group_id")) == sg]
            dc = stack.datacenter_of(cluster)
            if any(r.get("referenced_security_group_id") for r in rules):
                self._reach(dc, dc, endpoint, "MySQL 3306")
            for peer in {self._vpc_holding(str(r.get("cidr_ipv4"))) for r in rules if r.get("cidr_ipv4")}:
                via = self.peerings.get(frozenset((dc, peer or "")))
                if via is not None:
                    self.diagram.link(via.id, endpoint.id, f"3306 admitted from {peer} DMZ", dashed=True)

    def _vpc_holding(self, cidr: str) -> str | None:
        """The datacenter whose VPC contains ``cidr``."""
        network = ipaddress.ip_network(cidr, strict=False)
        for vpc in self.stack.resources("aws_vpc"):
            block = ipaddress.ip_network(str(vpc.get("cidr_block")))
            if network.version == block.version and network.subnet_of(block):  # type: ignore[arg-type]
                return self.stack.datacenter_of(vpc)
        return None
