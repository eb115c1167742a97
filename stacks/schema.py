"""The shape of ``cdktf.json``'s ``context``: every key, the JSON types it accepts and its default. The
architecture sections' keys are the fields of the construct props they configure, so the construct's own
validation (one place) names a bad value. No default is written here: those of the datacenter, backend and
targets keys are the settings dataclasses' (``settings``, whose network defaults are ``DatacenterProps``'), and
tests/unit/stacks/test_schema.py proves that every section key is a field of its props, of a matching type."""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from constructs_lib.api_manager import ApiManagerProps
from constructs_lib.network.props import DatacenterProps

from .architectures import NAMES
from .settings import BackendSettings, DatacenterSettings, TargetSettings

PROFILES = ("production", "lab", "local")
Schema = dict[str, tuple[tuple[type, ...], Any]]


def _with_defaults(settings: type, types: dict[str, tuple[type, ...]]) -> Schema:
    """``types`` with each key's default from the dataclass ``settings`` (None: required, or the construct's)."""
    defaults = {f.name: None if f.default is MISSING else f.default for f in fields(settings)}
    return {key: (accepted, defaults[key]) for key, accepted in types.items()}


# key -> (accepted JSON types, default). A default of None means "the construct's documented default".
DATACENTER_KEYS: Schema = _with_defaults(DatacenterSettings, {
    "name": (str,),
    "region": (str,),
    "cidr": (str,),
    "az_count": (int,),
    "azs": (list,),
    "single_nat_gateway": (bool,),
    "flow_log_retention_days": (int,),
    "instance_count": (int,),
})
REQUIRED_DATACENTER_KEYS = ("name", "region", "cidr")

# Architecture-wide sections. Their keys are the props fields of the construct they configure, so the
# construct's own validation (one place) names the problem; the stack prefixes it with the section path.
SECTIONS: dict[str, Schema] = {
    "portal": {  # PortalFleetProps
        "instance_count": ((int,), None),
        "instance_type": ((str,), None),
        "ami_id": ((str,), None),
        "ami_ssm_parameter": ((str,), None),
        "root_volume_size_gb": ((int,), None),
        "data_volume_gb": ((int,), None),
        "install_script": ((str,), None),
        "installer_s3_uri": ((str,), None),
        "allow_single_instance": ((bool,), None),
        "auto_scaling": ((bool,), None),
        "max_instance_count": ((int,), None),
        "health_check_grace_seconds": ((int,), None),
        "min_healthy_percentage": ((int,), None),
        "api_manager": ((dict,), None),  # ApiManagerProps: NESTED["portal"]["api_manager"] holds its keys
    },
    "load_balancer": {  # DatacenterLoadBalancerProps
        "health_check_interval": ((int,), None),
        "healthy_threshold": ((int,), None),
        "unhealthy_threshold": ((int,), None),
        "deregistration_delay": ((int,), None),
        "stickiness": ((bool,), None),
        "certificate_arn": ((str,), None),
        "tls_termination": ((bool,), None),
        "allowed_cidrs": ((list,), None),
    },
    "database": {  # DatabaseClusterProps
        "engine_version": ((str,), None),
        "instance_class": ((str,), None),
        "instance_count": ((int,), None),
        "backup_retention_days": ((int,), None),
        "master_username": ((str,), None),
        "kms_key_arn": ((str,), None),
        "allow_fewer_nodes": ((bool,), None),
        "allow_extended_support_engine": ((bool,), None),
    },
    "file_system": {  # SharedFileSystemProps
        "kms_key_arn": ((str,), None),
        "transition_to_ia": ((str,), None),
        "replication_region": ((str,), None),
        "replica_file_system_id": ((str,), None),
    },
    "global_lb": {  # GlobalLoadBalancerProps
        "kind": ((str,), None),
        "domain": ((str,), None),
        "hosted_zone_id": ((str,), None),
        "zone_name": ((str,), None),
        "routing": ((str,), None),
        "health_check_interval": ((int,), None),
        "failure_threshold": ((int,), None),
        "client_affinity": ((str,), None),
        "evacuated": ((list,), None),
    },
}
REQUIRED = object()
"""The default of a nested key whose props field has none: the key must be set."""


def _nested_keys(props: type, types: dict[str, tuple[type, ...]]) -> Schema:
    """The keys of an object inside a section, each required when its props field has no default."""
    required = {f.name for f in fields(props) if f.default is MISSING and f.default_factory is MISSING}
    return {key: (accepted, REQUIRED if key in required else None) for key, accepted in types.items()}


NESTED: dict[str, dict[str, Schema]] = {
    "portal": {"api_manager": _nested_keys(ApiManagerProps, {"host": (str,), "port": (int,), "cidrs": (list,)})},
}
"""Per section, the objects inside it and their keys (each one's props: ``api_manager`` -> ``ApiManagerProps``)."""

ARCHITECTURE_KEYS: Schema = {
    "datacenters": ((list,), None),
    "primary": ((str,), None),
    "database_home": ((str,), None),
    **dict.fromkeys(SECTIONS, ((dict,), None)),
}
BACKEND_KEYS: Schema = _with_defaults(BackendSettings, {
    "type": (str,),
    "bucket": (str,),
    "key_prefix": (str,),
    "region": (str,),
    "use_lockfile": (bool,),
})
TARGET_KEYS: Schema = _with_defaults(TargetSettings, {
    "instance_failover_seconds": (int,),
    "datacenter_failover_seconds": (int,),
    "min_instances_for_full_load": (int,),
})
TOP_LEVEL_KEYS: Schema = {
    "name_prefix": ((str,), DatacenterProps.name_prefix),
    "profile": ((str,), PROFILES[0]),
    "backend": ((dict,), None),
    "targets": ((dict,), None),
    **dict.fromkeys(NAMES, ((dict,), None)),
}
