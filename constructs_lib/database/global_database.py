"""``GlobalDatabase``: an Aurora Global Database, the seed's database across datacenters: a primary cluster in
one datacenter's region and a secondary cluster (3 instances as well) in every other datacenter's region.
Secondaries forward writes to the primary (global write forwarding), so the portal in every datacenter can
write: the seed's active-active model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from cdktf_cdktf_provider_aws.rds_global_cluster import RdsGlobalCluster
from constructs import Construct

from ..errors import ConfigError, Problem, Problems
from ..network.interface import IDatacenter
from .cluster import DatabaseCluster, GlobalMembership, placement_problems
from .engine import ENGINE, EXTENDED_SUPPORT
from .props import WHERE, DatabaseClusterProps, GlobalDatabaseProps


@dataclass(frozen=True, kw_only=True)
class DatabaseSite:
    """One datacenter's part of a global database: where its cluster goes and who may connect."""

    datacenter: IDatacenter
    """The datacenter (its region, internal subnets and provider) that hosts this cluster."""
    client_security_group_id: str | None
    """The portal instances' security group in that datacenter (admitted on 3306)."""
    client_cidrs: tuple[str, ...] = ()
    """Extra client ranges, such as the other datacenters' DMZ ranges. Default: none."""
    kms_key_arn: str | None = None
    """KMS key in this site's region. Default: the primary uses ``GlobalDatabaseProps.kms_key_arn``; a
    secondary uses the AWS-managed ``aws/rds`` key of its region."""


def _site_problems(props: GlobalDatabaseProps, primary: DatabaseSite, secondaries: list[DatabaseSite],
                   ) -> tuple[list[Problem], dict[str, DatabaseClusterProps]]:
    """Every problem of the sites, and the member clusters' props (one per site that has no problem)."""
    sites = [primary, *secondaries]
    problems = Problems()
    problems.check(
        len(secondaries) >= 1,
        Problem(f"{WHERE}.secondaries", fix="is empty: a global database needs at least one secondary datacenter in "
                "another region; use DatabaseCluster for a single datacenter"),
    )
    for i, a in enumerate(sites):
        for b in sites[i + 1:]:
            if a.datacenter.name == b.datacenter.name:
                problems.add(Problem(WHERE, fix=f"sites list datacenter {a.datacenter.name} twice: give each "
                                             "datacenter once"))
            elif a.datacenter.region == b.datacenter.region:
                problems.add(Problem(
                    WHERE, fix=f"sites {a.datacenter.name} and {b.datacenter.name} are both in region "
                    f"{a.datacenter.region}: an Aurora global database has one cluster per region; put each "
                    "datacenter in its own region"
                ))
    if primary.kms_key_arn and props.kms_key_arn and primary.kms_key_arn != props.kms_key_arn:
        problems.add(Problem(
            f"{WHERE}.kms_key_arn", props.kms_key_arn, f"and the primary site's kms_key_arn {primary.kms_key_arn} "
            "differ: set the primary's key once", literal=False
        ))
    site_props: dict[str, DatabaseClusterProps] = {}
    for site in sites:
        is_primary = site is primary
        kms = (site.kms_key_arn or props.kms_key_arn) if is_primary else site.kms_key_arn
        try:
            cluster_props = props.cluster_props(client_cidrs=site.client_cidrs, kms_key_arn=kms,
                                                database_name=props.database_name if is_primary else None)
        except ConfigError as err:
            problems.extend(replace(p, label=site.datacenter.name) if isinstance(p, Problem)
                            else Problem(f"[{site.datacenter.name}]", fix=p) for p in err.records)
            continue
        site_props[site.datacenter.name] = cluster_props
        kms_field, kms_detail = ((f"{WHERE}.kms_key_arn", "") if is_primary and not site.kms_key_arn
                                 else (WHERE, f"sites[{site.datacenter.name}].kms_key_arn"))
        problems.extend(placement_problems(cluster_props, site.datacenter, kms_field, kms_detail))
    return problems.items, site_props


class GlobalDatabase(Construct):
    """An Aurora global database: a primary cluster and a secondary in every other datacenter's region.

    Every cluster has ``instance_count`` (3) instances in 3 AZs. Secondaries use global write forwarding with
    ``aurora_replica_read_consistency = SESSION``, so the portal in every datacenter reads locally and can write.
    ``primary`` is the cluster created as the writer: it holds the master credentials (a secret in its region,
    replicated to the others), so it is the database's home for good. A switchover or failover (``portal-ha
    failover``, or ``aws rds switchover-global-cluster``) moves the writer to another member without changing
    this construct: every member requests write forwarding (the demoted one forwards at once) and ignores the
    replication source AWS sets, so Terraform sees no change. Rotate the master password
    (``master_password_version``) while the home is the writer: AWS changes credentials on the writer only.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: GlobalDatabaseProps,
        primary: DatabaseSite,
        secondaries: Sequence[DatabaseSite],
    ) -> None:
        secondaries = list(secondaries)
        problems, site_props = _site_problems(props, primary, secondaries)
        if problems:
            raise ConfigError(problems)
        super().__init__(scope, id)
        self.props = props
        primary_dc = primary.datacenter
        global_kwargs: dict[str, Any] = {}
        if props.engine_major == 2:
            global_kwargs["engine_lifecycle_support"] = EXTENDED_SUPPORT
        self.global_cluster = RdsGlobalCluster(
            self, "global-cluster",
            provider=primary_dc.provider,  # the global cluster is managed from the primary's region
            global_cluster_identifier=f"{primary_dc.name_prefix}-global-db", engine=ENGINE,
            engine_version=props.engine_version, storage_encrypted=True,
            deletion_protection=props.deletion_protection, **global_kwargs,
        )
        self.global_cluster_identifier: str = self.global_cluster.id
        self.global_cluster_arn: str = self.global_cluster.arn

        replica_regions = tuple(s.datacenter.region for s in secondaries) if props.replicate_secret else ()
        self.primary = DatabaseCluster(
            self, primary_dc.name, props=site_props[primary_dc.name], datacenter=primary_dc,
            client_security_group_id=primary.client_security_group_id,
            global_cluster=GlobalMembership(
                global_cluster_identifier=self.global_cluster_identifier, role="primary",
                primary_region=primary_dc.region, secret_replica_regions=replica_regions,
                master_password_version=props.master_password_version,
                secret_recovery_days=props.secret_recovery_days,
            ),
        )
        self.db_secret_arn: str = self.primary.db_secret_arn
        self.clusters: dict[str, DatabaseCluster] = {primary_dc.name: self.primary}
        for site in secondaries:
            dc = site.datacenter
            self.clusters[dc.name] = DatabaseCluster(
                self, dc.name, props=site_props[dc.name], datacenter=dc,
                client_security_group_id=site.client_security_group_id,
                global_cluster=GlobalMembership(
                    global_cluster_identifier=self.global_cluster_identifier, role="secondary",
                    primary_region=primary_dc.region, primary_secret_arn=self.primary.db_secret_arn,
                    secret_replicated=props.replicate_secret, depends_on=tuple(self.primary.instances),
                ),
            )
