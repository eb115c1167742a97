"""A feature the configuration turned off is a SKIP row naming the key that turned it off (no AWS call)."""

from __future__ import annotations

import pytest

from portal_ha.verify import database, fleet, storage
from tests.unit.tooling.manifests import complete


class NoAws:
    def __call__(self, service: str, region: str) -> None:
        raise AssertionError(f"a turned-off feature must not call {service}")


DC = {"name": "dc1", "region": "eu-west-1", "efs_file_system_id": "fs-1", "detailed_monitoring": False,
      "db_performance_insights_retention_days": None, "db_instance_parameter_group": None,
      "efs_backup_policy": False, "efs_tls_policy": False, "efs_replication_region": None}


@pytest.mark.parametrize(("rule", "key"), [
    (fleet.check_detailed_monitoring, "portal.detailed_monitoring"),
    (database.check_performance_insights, "database.performance_insights"),
    (database.check_parameter_group, "database.instance_parameters"),
    (storage.check_backup, "file_system.backup_policy"),
    (storage.check_tls_policy, "file_system.tls_policy"),
    (storage.check_replication, "file_system.replication_region"),
])
def test_turned_off_features_skip_naming_their_key(rule, key):
    [row] = rule(complete({"architecture": "single-dc", "datacenters": [DC]}), NoAws())
    assert (row.status, row.scope, row.detail) == ("SKIP", "dc1", f"turned off in the configuration (single-dc.{key})")
