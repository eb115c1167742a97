"""Settings: cdktf.json context to frozen, validated settings; every problem named with its key path."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from constructs_lib.errors import ConfigError
from stacks.loader import parse_settings
from tests.conftest import REPO

DC = {"name": "dc1", "region": "us-east-1", "cidr": "10.10.0.0/16"}


def test_repo_context_parses(repo_settings):
    arch = repo_settings.architectures["single-dc"]
    assert arch.datacenters[0].region == "us-east-1"
    assert repo_settings.profile == "production" and not repo_settings.is_lab


def test_defaults_fill_optional_keys():
    settings = parse_settings({"single-dc": {"datacenters": [DC]}})
    dc = settings.architectures["single-dc"].datacenters[0]
    assert (dc.az_count, dc.single_nat_gateway, dc.flow_log_retention_days) == (3, False, 90)
    assert settings.name_prefix == "portal"


def test_env_profile_overrides_context():
    settings = parse_settings({"profile": "production", "single-dc": {"datacenters": [DC]}}, profile="local")
    assert settings.is_local and settings.is_lab


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        pytest.param({"single-dc": {"datacenters": [DC]}, "nmae_prefix": "x"},
                     "nmae_prefix is not a known key: use one of", id="unknown-top-level-key"),
        pytest.param({"single-dc": {"datacenters": [DC | {"cidrs": "10.0.0.0/16"}]}},
                     "single-dc.datacenters[0].cidrs is not a known key", id="unknown-datacenter-key"),
        pytest.param({"single-dc": {"datacenters": [DC | {"az_count": "3"}]}},
                     'single-dc.datacenters[0].az_count must be an integer, got "3"', id="wrong-type"),
        pytest.param({"single-dc": {"datacenters": [DC | {"az_count": True}]}},
                     "single-dc.datacenters[0].az_count must be an integer, got true", id="bool-is-not-int"),
        pytest.param({"single-dc": {"datacenters": [{"name": "dc1", "region": "us-east-1"}]}},
                     "single-dc.datacenters[0].cidr is missing", id="missing-cidr"),
        pytest.param({"single-dc": {"datacenters": []}}, "single-dc.datacenters is missing or empty",
                     id="no-datacenters"),
        pytest.param({"single-dc": {"datacenters": [DC | {"region": "us-east-9"}]}},
                     'single-dc.datacenters[0].region "us-east-9" is not an AWS region known to botocore',
                     id="unknown-region"),
        pytest.param({"single-dc": {"datacenters": [DC]}, "profile": "prod"}, 'profile "prod" is unknown',
                     id="unknown-profile"),
        pytest.param({"single-dc": ["dc1"]}, "single-dc must be an object, got [\"dc1\"]",
                     id="architecture-not-object"),
    ],
)
def test_bad_context(context, expected):
    with pytest.raises(ConfigError) as err:
        parse_settings(context)
    assert expected in str(err.value)


def test_bad_cdktf_json_exits_2_with_a_readable_message(tmp_path):
    config = tmp_path / "cdktf.json"
    config.write_text(json.dumps({"context": {"single-dc": {"datacenters": [DC | {"az_count": 1}]}}}))
    env = {**os.environ, "PORTAL_HA_CONFIG": str(config)}
    proc = subprocess.run([sys.executable, "-m", "stacks"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2
    assert "single-dc.datacenters[0].az_count 1 is out of range: use 2 to 6" in proc.stderr
    assert "Traceback" not in proc.stderr


MULTI = {"datacenters": [DC, DC | {"name": "dc2", "region": "eu-west-1", "cidr": "10.11.0.0/16"}]}


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        pytest.param({"multi-dc": {"datacenters": [DC]}},
                     "multi-dc.datacenters has 1 datacenter(s): a multi-datacenter architecture needs at least 2",
                     id="multi-needs-two"),
        pytest.param({"multi-dc": {"datacenters": [DC, DC | {"name": "dc2", "cidr": "10.11.0.0/16"}]}},
                     'multi-dc.datacenters[1].region "us-east-1" repeats multi-dc.datacenters[0].region (dc1 and dc2 '
                     "are both in us-east-1): each datacenter needs its own region",
                     id="same-region-twice"),
        pytest.param({"multi-dc": MULTI | {"primary": "dc9"}},
                     'multi-dc.primary "dc9" is not one of the datacenters (dc1, dc2)', id="unknown-primary"),
        pytest.param({"multi-dc": {"datacenters": [DC, DC | {"name": "dc2", "region": "eu-west-1",
                                                            "cidr": "10.10.128.0/17"}]}},
                     "multi-dc.datacenters[1].cidr 10.10.128.0/17 (dc2) overlaps multi-dc.datacenters[0].cidr "
                     "10.10.0.0/16 "
                     "(dc1): give each datacenter its own range", id="overlapping-cidrs"),
        pytest.param({"multi-dc": {"datacenters": [DC, DC | {"region": "eu-west-1", "cidr": "10.11.0.0/16"}]}},
                     'multi-dc.datacenters[1].name "dc1" repeats multi-dc.datacenters[0].name',
                     id="duplicate-names"),
        pytest.param({"single-dc": MULTI}, "single-dc takes exactly 1", id="single-dc-with-two"),
        pytest.param({"multi-dc": MULTI | {"database": {"engine": "postgres"}}},
                     "multi-dc.database.engine is not a known key", id="unknown-section-key"),
        pytest.param({"multi-dc": MULTI | {"global_lb": {"failure_threshold": "3"}}},
                     'multi-dc.global_lb.failure_threshold must be an integer, got "3"', id="section-wrong-type"),
    ],
)
def test_bad_multi_dc_context(context, expected):
    with pytest.raises(ConfigError) as err:
        parse_settings(context)
    assert expected in str(err.value)


def test_sections_keep_only_the_keys_set():
    settings = parse_settings({"multi-dc": MULTI | {"load_balancer": {"health_check_interval": 5}}})
    arch = settings.architectures["multi-dc"]
    assert arch.section("load_balancer") == {"health_check_interval": 5}
    assert arch.section("database") == {}
    assert arch.primary == "dc1"
