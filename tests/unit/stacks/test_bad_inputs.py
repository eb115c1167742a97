"""The bad-input matrix: configurations refused with a ConfigError that names the field and the fix.

Three layers, each a table:
- ``SETTINGS``: a ``cdktf.json`` context refused by ``parse_settings`` itself, before anything of cdktf is
  even imported (proved in a subprocess);
- ``PROPS``: a construct's props refused by their own validation (``__post_init__``);
- ``STACKS``: a context that parses but whose props the stacks refuse while building them
  (``build_app(parse_settings(ctx))``): the message is prefixed with the settings path and no construct of the
  datacenter exists yet.
Plus ``python -m stacks`` on a bad ``cdktf.json``: a readable list on stderr, exit status 2, no traceback.

Every case asserts fragments of the message: the field path with the bad value, and the fix.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from constructs_lib.errors import ConfigError
from stacks.loader import parse_settings
from tests.conftest import REPO

DC1 = {"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16"}
DC2 = {"name": "dc2", "region": "eu-west-1", "cidr": "10.11.0.0/16"}
MULTI = {"datacenters": [DC1, DC2], "global_lb": {"domain": "portal.example.com"}}


def single(**arch: Any) -> dict[str, Any]:
    return {"single-dc": {"datacenters": [DC1], **arch}}


def multi(**arch: Any) -> dict[str, Any]:
    return {"multi-dc": MULTI | arch}


# (id, context, [fragments]): parse_settings must raise ConfigError holding every fragment.
SETTINGS: list[tuple[str, Any, list[str]]] = [
    ("overlapping-cidrs", multi(datacenters=[DC1, DC2 | {"cidr": "10.10.128.0/17"}]),
     ["multi-dc.datacenters[1].cidr 10.10.128.0/17 (dc2) overlaps multi-dc.datacenters[0].cidr 10.10.0.0/16",
      "give each datacenter its own range"]),
    ("unknown-region", single(datacenters=[DC1 | {"region": "us-east-9"}]),
     ['single-dc.datacenters[0].region "us-east-9" is not an AWS region', "use one of"]),
    ("malformed-region", single(datacenters=[DC1 | {"region": "Frankfurt"}]),
     ['single-dc.datacenters[0].region "Frankfurt" is not an AWS region', "aws ec2 describe-regions"]),
    ("duplicate-regions", multi(datacenters=[DC1, DC2 | {"region": "us-east-1"}]),
     ['multi-dc.datacenters[1].region "us-east-1" repeats multi-dc.datacenters[0].region (dc1 and dc2 are both in '
      "us-east-1): each datacenter needs its own region"]),
    ("duplicate-names", multi(datacenters=[DC1, DC2 | {"name": "dc1"}]),
     ['multi-dc.datacenters[1].name "dc1" repeats multi-dc.datacenters[0].name: give each datacenter its own name']),
    ("multi-dc-with-one-datacenter", multi(datacenters=[DC1]),
     ["multi-dc.datacenters has 1 datacenter(s)", "needs at least 2 (or use single-dc)"]),
    ("single-dc-with-two", single(datacenters=[DC1, DC2]),
     ["single-dc.datacenters has 2 datacenters", "single-dc takes exactly 1 (use multi-dc for more)"]),
    ("no-datacenters", single(datacenters=[]),
     ["single-dc.datacenters is missing or empty", "list at least one"]),
    ("missing-cidr", single(datacenters=[{"name": "dc1", "region": "us-east-1"}]),
     ["single-dc.datacenters[0].cidr is missing", "every datacenter needs name, region and cidr"]),
    ("wrong-type-string-for-int", single(datacenters=[DC1 | {"az_count": "3"}]),
     ['single-dc.datacenters[0].az_count must be an integer, got "3"']),
    ("wrong-type-bool-for-int", single(datacenters=[DC1 | {"flow_log_retention_days": True}]),
     ["single-dc.datacenters[0].flow_log_retention_days must be an integer, got true"]),
    ("wrong-type-string-for-list", single(load_balancer={"allowed_cidrs": "0.0.0.0/0"}),
     ['single-dc.load_balancer.allowed_cidrs must be a list, got "0.0.0.0/0"']),
    ("section-single-dc-does-not-use", single(global_lb={"domain": "portal.example.com"}),
     ["single-dc.global_lb is set, but single-dc has one datacenter, behind its own NLB, and no global load "
      "balancer: remove it, or use multi-dc"]),
    ("section-local-storage-does-not-use", {"multi-dc-local": MULTI | {"file_system": {"transition_to_ia": "x"}}},
     ["multi-dc-local.file_system is set, but multi-dc-local has no shared file system (each instance keeps its "
      "files on its own data volume, portal.data_volume_gb): remove it, or use multi-dc"]),
    ("api-manager-keys", single(portal={"api_manager": {"port": "8075", "cidr": []}}),
     ["single-dc.portal.api_manager.cidr is not a known key: use one of cidrs, host, port",
      'single-dc.portal.api_manager.port must be an integer, got "8075"',
      "single-dc.portal.api_manager.host is missing: api_manager needs host and cidrs",
      "single-dc.portal.api_manager.cidrs is missing: api_manager needs host and cidrs"]),
    ("api-manager-not-an-object", single(portal={"api_manager": "apimanager.example.com"}),
     ['single-dc.portal.api_manager must be an object, got "apimanager.example.com"']),
    ("wrong-type-in-section", multi(global_lb={"domain": "portal.example.com", "failure_threshold": "3"}),
     ['multi-dc.global_lb.failure_threshold must be an integer, got "3"']),
    ("architecture-not-an-object", {"single-dc": ["dc1"]},
     ['single-dc must be an object, got ["dc1"]: write an object']),
    ("context-not-an-object", ["single-dc"], ['context must be an object, got ["single-dc"]', "Configuration"]),
    ("unknown-top-level-key", single() | {"nmae_prefix": "x"},
     ["nmae_prefix is not a known key: use one of backend, multi-dc, multi-dc-local, name_prefix"]),
    ("unknown-architecture", {"triple-dc": {"datacenters": [DC1]}},
     ["triple-dc is not a known key", "single-dc"]),
    ("unknown-architecture-key", single(datacenter=[DC1]),
     ["single-dc.datacenter is not a known key", "use one of"]),
    ("unknown-datacenter-key", single(datacenters=[DC1 | {"cidrs": "10.0.0.0/16"}]),
     ["single-dc.datacenters[0].cidrs is not a known key", "use one of az_count, azs, cidr"]),
    ("unknown-section-key", multi(database={"engine": "postgres"}),
     ["multi-dc.database.engine is not a known key", "engine_version"]),
    ("unknown-profile", single() | {"profile": "prod"},
     ['profile "prod" is unknown: use one of production, lab, local']),
    ("unknown-primary", multi(primary="dc9"),
     ['multi-dc.primary "dc9" is not one of the datacenters (dc1, dc2): name one of them']),
    ("unknown-database-home", multi(database_home="dc9"),
     ['multi-dc.database_home "dc9" is not one of the datacenters (dc1, dc2): name one of them']),
    ("backend-s3-without-bucket", single() | {"backend": {"type": "s3", "region": "us-east-1"}},
     ["backend.bucket is missing: an s3 backend needs a bucket and its region"]),
    ("backend-unknown-type", single() | {"backend": {"type": "gcs"}},
     ['backend.type "gcs" is unknown: use "local" or "s3"']),
    ("target-below-one", single() | {"targets": {"instance_failover_seconds": 0}},
     ["targets.instance_failover_seconds 0 is below 1: use a whole number of 1 or more"]),
    ("target-not-a-number", single() | {"targets": {"min_instances_for_full_load": "two"}},
     ['targets.min_instances_for_full_load must be an integer, got "two"']),
    ("target-unknown-key", single() | {"targets": {"dc_failover_seconds": 30}},
     ["targets.dc_failover_seconds is not a known key", "datacenter_failover_seconds"]),
]


def _props(module: str, cls: str, **kwargs: Any) -> Callable[[], Any]:
    """A props constructor, imported only when the case runs (the provider bindings load with it)."""
    return lambda: getattr(importlib.import_module(f"constructs_lib.{module}"), cls)(**kwargs)


def _lb(**kw: Any) -> Callable[[], Any]:
    return _props("datacenter_lb", "DatacenterLoadBalancerProps", **kw)


def _db(**kw: Any) -> Callable[[], Any]:
    return _props("database", "DatabaseClusterProps", **kw)


def _efs(**kw: Any) -> Callable[[], Any]:
    return _props("shared_storage", "SharedFileSystemProps", **kw)


def _glb(**kw: Any) -> Callable[[], Any]:
    return _props("global_lb", "GlobalLoadBalancerProps", **kw)


def _fleet(**kw: Any) -> Callable[[], Any]:
    return _props("portal_fleet", "PortalFleetProps", **kw)


def _network(**kw: Any) -> Callable[[], Any]:
    return _props("network", "DatacenterProps", **({"name": "dc1", "region": "us-east-1"} | kw))


def _subnets(**kw: Any) -> Callable[[], Any]:
    def build() -> Any:
        from constructs_lib.network import DatacenterProps, SubnetCidrs

        return DatacenterProps(name="dc1", region="us-east-1", cidr="10.0.0.0/16", az_count=2,
                               subnet_cidrs=SubnetCidrs(**kw))
    return build


ACM = "arn:aws:acm:us-east-1:123456789012:certificate/0b1c2d3e-aaaa-bbbb-cccc-123456789012"

# (id, props factory, [fragments]): constructing the props must raise ConfigError holding every fragment.
PROPS: list[tuple[str, Callable[[], Any], list[str]]] = [
    ("cidr-malformed", _network(cidr="10.0.0.0/33"),
     ["datacenters[dc1].cidr '10.0.0.0/33' is not a valid IPv4 CIDR",
      "use a network address such as 10.0.0.0/16"]),
    ("cidr-host-bits", _network(cidr="10.0.0.1/16"),
     ["datacenters[dc1].cidr '10.0.0.1/16' is not a valid IPv4 CIDR"]),
    ("cidr-too-large", _network(cidr="10.0.0.0/12"),
     ["datacenters[dc1].cidr 10.0.0.0/12 has prefix /12", "use for example 10.0.0.0/16"]),
    ("subnets-overlap", _subnets(public=("10.0.0.0/24", "10.0.1.0/24"), dmz=("10.0.1.0/24", "10.0.2.0/24"),
                                 internal=("10.0.3.0/24", "10.0.4.0/24")),
     ["datacenters[dc1].subnet_cidrs.dmz[0] 10.0.1.0/24 overlaps datacenters[dc1].subnet_cidrs.public[1]",
      "give each subnet its own range"]),
    ("subnet-outside-vpc", _subnets(public=("10.0.0.0/24", "10.9.1.0/24"), dmz=("10.0.2.0/24", "10.0.3.0/24"),
                                    internal=("10.0.4.0/24", "10.0.5.0/24")),
     ["datacenters[dc1].subnet_cidrs.public[1] 10.9.1.0/24 is outside the VPC range 10.0.0.0/16",
      "pick a range inside it"]),
    ("az-count-below-ha", _network(az_count=1),
     ["datacenters[dc1].az_count 1 is out of range: use 2 to 6 availability zones (HA needs at least 2)"]),
    ("az-outside-region", _network(az_count=2, azs=("us-east-1a", "eu-west-1b")),
     ["datacenters[dc1].azs[1] 'eu-west-1b' is not a zone of us-east-1", "use names such as us-east-1a"]),
    ("datacenter-name-too-long", _network(name="datacenter-one"),
     ["datacenter.name 'datacenter-one' is 14 characters: use at most 12"]),
    ("name-prefix-too-long", _network(name_prefix="a-very-long-prefix-x"),
     ["name_prefix 'a-very-long-prefix-x' is 20 characters: use at most 16"]),
    ("name-prefix-bad-characters", _network(name_prefix="Portal_HA"),
     ["name_prefix 'Portal_HA' must be lower-case letters, digits and hyphens"]),
    ("flow-log-retention-not-allowed", _network(flow_log_retention_days=45),
     ["datacenters[dc1].flow_log_retention_days 45 is not a CloudWatch Logs retention value",
      "use one of 1, 3"]),
    ("fleet-below-ha-minimum", _fleet(instance_count=1),
     ["fleet.instance_count 1 is below the HA minimum of 2",
      "use 2 or more, or set allow_single_instance=True for a lab"]),
    ("fleet-instance-type", _fleet(instance_type="m6i"),
     ["fleet.instance_type 'm6i' is not an EC2 instance type: use family.size, such as m6i.large"]),
    ("fleet-root-volume-too-small", _fleet(root_volume_size_gb=4),
     ["fleet.root_volume_size_gb 4 is out of range: use 8 to 16384 GiB"]),
    ("lb-health-check-interval", _lb(health_check_interval=400),
     ["load_balancer.health_check_interval 400 is out of range", "every 5 to 300 seconds"]),
    ("lb-unhealthy-threshold", _lb(unhealthy_threshold=1),
     ["load_balancer.unhealthy_threshold 1 is out of range: NLB health checks allow 2 to 10"]),
    ("lb-timeout-not-below-interval", _props("datacenter_lb", "DatacenterLoadBalancerProps",
                                             health_check_interval=10, health_check_timeout=10),
     ["load_balancer.health_check_timeout 10 is not below health_check_interval 10",
      "use a timeout shorter than the interval"]),
    ("lb-tls-without-certificate", _lb(tls_termination=True),
     ["load_balancer.tls_termination is True but certificate_arn is not set",
      "give the ARN of an ACM certificate"]),
    ("lb-certificate-malformed", _lb(tls_termination=True,
                                        certificate_arn="arn:aws:iam::123456789012:server-certificate/x"),
     ["is not an ACM certificate ARN: use arn:aws:acm:REGION:ACCOUNT:certificate/ID"]),
    ("lb-certificate-without-tls", _lb(certificate_arn=ACM),
     ["tls_termination is False", "set tls_termination=True or drop the certificate"]),
    ("lb-name-too-long", _lb(name="portal-production-frankfurt-dc1"),
     ["load_balancer.name 'portal-production-frankfurt-dc1' gives the load balancer name",
      "above the AWS limit of 32", "use a shorter load_balancer.name"]),
    ("lb-allowed-cidr-malformed", _props("datacenter_lb", "DatacenterLoadBalancerProps",
                                         allowed_cidrs=("203.0.113.0/40",)),
     ["load_balancer.allowed_cidrs[0] '203.0.113.0/40' is not a valid IPv4 CIDR", "such as 203.0.113.0/24"]),
    ("db-engine-version-unknown", _db(engine_version="5.6.10a"),
     ["database.engine_version '5.6.10a' is not an Aurora MySQL 3 or 2 version",
      "use for example 8.0.mysql_aurora.3.08.2"]),
    ("db-engine-out-of-standard-support", _props("database", "DatabaseClusterProps",
                                                 engine_version="5.7.mysql_aurora.2.11.2"),
     ["database.engine_version 5.7.mysql_aurora.2.11.2 is Aurora MySQL 2",
      "set allow_extended_support_engine=True"]),
    ("db-global-without-write-forwarding", _props("database", "GlobalDatabaseProps",
                                                  engine_version="8.0.mysql_aurora.3.02.0"),
     ["does not support global write forwarding", "use Aurora MySQL 3.04 or later"]),
    ("db-below-ha-nodes", _db(instance_count=2),
     ["database.instance_count 2 is below the HA minimum of 3 database nodes",
      "use 3 or more, or set allow_fewer_nodes=True for a lab"]),
    ("db-backup-window", _db(preferred_backup_window="3am"),
     ["database.preferred_backup_window '3am' is not a window: use hh:mm-hh:mm in UTC"]),
    ("db-reserved-username", _db(master_username="rdsadmin"),
     ["database.master_username 'rdsadmin' is reserved by RDS or MySQL", "pick another name"]),
    ("efs-lifecycle-value", _efs(transition_to_ia="AFTER_2_DAYS"),
     ["file_system.transition_to_ia 'AFTER_2_DAYS' is not an EFS lifecycle value", "use one of AFTER_1_DAY"]),
    ("efs-open-to-the-world", _efs(client_cidrs=("0.0.0.0/0",)),
     ["file_system.client_cidrs[0] 0.0.0.0/0 opens the port to the whole internet", "never 0.0.0.0/0"]),
    ("efs-kms-key-not-an-arn", _efs(kms_key_arn="alias/portal"),
     ["file_system.kms_key_arn 'alias/portal' is not a KMS key ARN",
      "use arn:aws:kms:<region>:<account>:key/"]),
    ("domain-upper-case", _glb(domain="Portal.Example.com"),
     ["global_lb.domain 'Portal.Example.com' has upper-case letters", "(portal.example.com)"]),
    ("domain-empty-label", _glb(domain="portal..example.com"),
     ["global_lb.domain 'portal..example.com' has invalid label(s)", "each label is 1 to 63"]),
    ("domain-single-label", _glb(domain="portal"),
     ["global_lb.domain 'portal' has 1 label(s): use at least 2"]),
    ("domain-outside-zone", _glb(domain="portal.example.com",
                                   zone_name="example.org"),
     ["global_lb.domain 'portal.example.com' is outside global_lb.zone_name 'example.org'",
      "use a domain ending in .example.org"]),
    ("domain-missing", _props("global_lb", "GlobalLoadBalancerProps"),
     ["global_lb.domain is missing", "set domain, e.g. portal.example.com"]),
    ("global-health-check-interval", _glb(domain="portal.example.com",
                                             health_check_interval=15),
     ["global_lb.health_check_interval 15 is not allowed by Route 53: use 10 (fast) or 30 (standard)"]),
    ("global-failure-threshold", _glb(domain="portal.example.com",
                                        failure_threshold=11),
     ["global_lb.failure_threshold 11 is out of range: use 1 to 10"]),
    ("evacuated-not-a-list", _glb(domain="portal.example.com", evacuated="dc2"),
     ["global_lb.evacuated 'dc2' is not a list of datacenter names: use for example ['dc2']"]),
    ("evacuated-twice", _glb(domain="portal.example.com", evacuated=("dc2", "dc2")),
     ["global_lb.evacuated ['dc2', 'dc2'] names a datacenter twice: name each once"]),
    ("efs-replica-without-region", _efs(replica_file_system_id="fs-0123456789abcdef0"),
     ["file_system.replica_file_system_id is set without file_system.replication_region"]),
    ("efs-replica-not-an-id", _efs(replication_region="eu-west-1", replica_file_system_id="dc1-efs"),
     ["file_system.replica_file_system_id 'dc1-efs' is not a file system id", "e.g. fs-0123456789abcdef0"]),
    ("api-manager-host", _props("api_manager", "ApiManagerProps", host="Bad_Host", cidrs=("10.50.0.0/24",)),
     ["fleet.api_manager.host 'Bad_Host' is neither a DNS name nor an IPv4 address: use API Manager's name, such "
      "as apimanager.example.com, or its address"]),
    ("api-manager-port", _props("api_manager", "ApiManagerProps", host="10.50.0.10", port=0, cidrs=("10.50.0.0/24",)),
     ["fleet.api_manager.port 0 is out of range: use a TCP port from 1 to 65535 (API Manager's default is 8075)"]),
    ("api-manager-no-cidrs", _props("api_manager", "ApiManagerProps", host="apimanager.example.com", cidrs=()),
     ["fleet.api_manager.cidrs is empty: list the ranges API Manager lives in (its instances or its load "
      "balancer's subnets), for example 10.50.0.0/24"]),
    ("api-manager-world", _props("api_manager", "ApiManagerProps", host="apimanager.example.com",
                                 cidrs=("0.0.0.0/0",)),
     ["fleet.api_manager.cidrs[0] 0.0.0.0/0 would open API Manager's port to the whole internet: list the ranges "
      "API Manager lives in, never 0.0.0.0/0"]),
    ("global-lb-kind", _glb(kind="cloudfront", domain="portal.example.com"),
     ["global_lb.kind 'cloudfront' is not a global load balancer kind",
      "use 'route53' or 'global-accelerator'"]),
]

# (id, context, [fragments]): parses, then build_app(parse_settings(context)) raises ConfigError.
STACKS: list[tuple[str, Any, list[str]]] = [
    ("stack-malformed-cidr", single(datacenters=[DC1 | {"cidr": "10.10.0.0/33"}]),
     ['single-dc.datacenters[0].cidr "10.10.0.0/33" is not a valid IPv4 CIDR']),
    ("stack-az-count-below-ha", single(datacenters=[DC1 | {"az_count": 1}]),
     ["single-dc.datacenters[0].az_count 1 is out of range", "HA needs at least 2"]),
    ("stack-datacenter-name-too-long", single(datacenters=[DC1 | {"name": "frankfurt-main"}]),
     ['single-dc.datacenters[0].name "frankfurt-main" is 14 characters: use at most 12']),
    ("stack-api-manager-values", single(portal={"api_manager": {"host": "apimanager.example.com", "port": 70000,
                                                                 "cidrs": ["10.50.0.0/33"]}}),
     ["single-dc.portal.api_manager.port 70000 is out of range: use a TCP port from 1 to 65535",
      'single-dc.portal.api_manager.cidrs[0] "10.50.0.0/33" is not a valid IPv4 CIDR']),
    ("stack-health-check-out-of-range", single(load_balancer={"health_check_interval": 400}),
     ["single-dc.load_balancer.health_check_interval 400 is out of range"]),
    ("stack-tls-without-certificate", single(load_balancer={"tls_termination": True}),
     ["single-dc.load_balancer.tls_termination is True but certificate_arn is not set"]),
    ("stack-portal-below-ha", single(portal={"instance_count": 1}),
     ['single-dc.portal.instance_count 1 is below the HA minimum of 2: use 2 or more, or set '
      '"allow_single_instance": true in single-dc.portal for a lab']),
    ("stack-db-below-ha", single(database={"instance_count": 2}),
     ["single-dc.database.instance_count 2 is below the HA minimum of 3"]),
    ("stack-unsupported-engine", multi(database={"engine_version": "9.9"}),
     ['multi-dc.database.engine_version "9.9" is not an Aurora MySQL 3 or 2 version']),
    ("stack-bad-domain", multi(global_lb={"domain": "portal_example.com"}),
     ['multi-dc.global_lb.domain "portal_example.com" has invalid label(s)']),
    ("stack-evacuated-unknown", multi(global_lb={"domain": "portal.example.com", "evacuated": ["dc9"]}),
     ["multi-dc.global_lb.evacuated \"dc9\" is not a datacenter: use one of dc1, dc2"]),
    ("stack-evacuated-every-datacenter",
     multi(global_lb={"domain": "portal.example.com", "evacuated": ["dc1", "dc2"]}),
     ["multi-dc.global_lb.evacuated lists every datacenter (dc1, dc2)", "at least one datacenter must keep "
      "serving (restore one first)"]),
    ("stack-replication-region", multi(file_system={"replication_region": "mars-1"}),
     ['multi-dc.file_system.replication_region "mars-1" is not a well-formed AWS region name']),
]


def _ids(table: list[tuple[str, Any, list[str]]]) -> list[str]:
    return [case[0] for case in table]


def test_the_matrix_has_at_least_30_distinct_bad_configurations():
    ids = _ids(SETTINGS) + _ids(PROPS) + _ids(STACKS)
    assert len(ids) == len(set(ids)) and len(ids) >= 30, len(ids)


def _assert_readable(error: ConfigError, fragments: list[str]) -> None:
    text = str(error)
    for fragment in fragments:
        assert fragment in text, f"{fragment!r} not in:\n{text}"
    assert error.problems and all(isinstance(p, str) and p for p in error.problems)
    assert "Traceback" not in text and "jsii" not in text.lower()


@pytest.mark.parametrize(("case", "context", "fragments"), SETTINGS, ids=_ids(SETTINGS))
def test_bad_settings_are_refused(case, context, fragments):
    with pytest.raises(ConfigError) as err:
        parse_settings(context)
    _assert_readable(err.value, fragments)


@pytest.mark.parametrize(("case", "build", "fragments"), PROPS, ids=_ids(PROPS))
def test_bad_props_are_refused(case, build, fragments):
    with pytest.raises(ConfigError) as err:
        build()
    _assert_readable(err.value, fragments)


@pytest.mark.parametrize(("case", "context", "fragments"), STACKS, ids=_ids(STACKS))
def test_bad_props_from_settings_are_refused_while_building_the_stacks(case, context, fragments):
    from stacks.app import build_app

    settings = parse_settings(context)  # the context itself is well-formed
    with pytest.raises(ConfigError) as err:
        build_app(settings)
    _assert_readable(err.value, fragments)


def test_every_problem_is_reported_at_once():
    context = single(datacenters=[DC1 | {"az_count": "3", "cidrs": "x"}]) | {"profile": "prod"}
    with pytest.raises(ConfigError) as err:
        parse_settings(context)
    assert len(err.value.problems) == 3


SETTINGS_BEFORE_CDKTF = """
import sys
from constructs_lib.errors import ConfigError
from stacks.loader import parse_settings
from tests.unit.stacks.test_bad_inputs import SETTINGS
for case, context, fragments in SETTINGS:
    try:
        parse_settings(context)
    except ConfigError as err:
        assert all(f in str(err) for f in fragments), case
    else:
        raise SystemExit(f"{case}: no ConfigError")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("cdktf", "cdktf_cdktf_provider_aws"))
print("loaded:", loaded)
raise SystemExit(1 if loaded else 0)
"""


def test_settings_errors_come_before_cdktf_is_even_loaded():
    proc = subprocess.run([sys.executable, "-c", SETTINGS_BEFORE_CDKTF], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert "loaded: []" in proc.stdout


def test_cli_prints_every_problem_and_exits_2_without_traceback(tmp_path):
    config = tmp_path / "cdktf.json"
    context = single(load_balancer={"health_check_interval": 400, "unhealthy_threshold": 1})
    config.write_text(json.dumps({"app": "python -m stacks", "context": context}))
    env = {**os.environ, "PORTAL_HA_CONFIG": str(config), "CDKTF_OUTDIR": str(tmp_path / "out")}
    proc = subprocess.run([sys.executable, "-m", "stacks"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=180)
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "portal-ha: 2 configuration problem(s)" in proc.stderr
    assert "single-dc.load_balancer.health_check_interval 400 is out of range" in proc.stderr
    assert "single-dc.load_balancer.unhealthy_threshold 1 is out of range" in proc.stderr
    assert "Traceback" not in proc.stderr and "jsii" not in proc.stderr.lower()
    assert not list((tmp_path / "out").rglob("cdk.tf.json")), "nothing may be synthesized"
