"""Corrections to moto 5.2 bugs that would otherwise make a correct local deploy hang, applied to the
emulator that ``portal-ha`` starts (``portal_ha.emulator.server`` applies them).

Each fix makes moto behave as AWS documents; none of them makes a check pass that AWS would fail.

- Aurora global database membership across regions. AWS: deleting a cluster (or RemoveFromGlobalCluster)
  takes it out of its global cluster, wherever the global cluster is homed. moto 5.2 looks for the global
  cluster only in the cluster's own region, so a secondary in another region stays a member forever,
  DeleteGlobalCluster then fails, and the AWS provider retries it for many minutes.
- Deleting a network ACL entry that is not there. AWS answers ``InvalidNetworkAclEntry.NotFound`` (HTTP 400),
  which the AWS provider treats as "already gone". moto 5.2 raises an uncaught ``StopIteration`` and answers
  HTTP 500 with no XML body; the provider retries that 25 times and then fails ``terraform destroy``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


def _global_cluster_everywhere(backend: Any, identifier: str) -> Any:
    from moto.rds.models import rds_backends

    regions = rds_backends[backend.account_id]
    for region in regions:
        found = regions[region].global_clusters.get(identifier)
        if found is not None:
            return found
    return None


def _leave_global_cluster(backend: Any, cluster_identifier: str) -> None:
    cluster = backend.clusters.get(cluster_identifier)
    if cluster is None or not cluster.global_cluster_identifier:
        return
    global_cluster = _global_cluster_everywhere(backend, cluster.global_cluster_identifier)
    if global_cluster is not None and cluster in global_cluster.members:
        global_cluster.members.remove(cluster)


def _nacl_entry_not_found(rule_number: int) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError("InvalidNetworkAclEntry.NotFound",
                          f"The network acl entry identified by {rule_number} does not exist.")


def _patches() -> list[tuple[type, str, Any]]:
    """(class, method name, replacement) for every fix; each replacement wraps moto's own method."""
    from moto.ec2.models.network_acls import NetworkAclBackend
    from moto.rds.models import RDSBackend

    original_delete = RDSBackend.delete_db_cluster
    original_remove = RDSBackend.remove_from_global_cluster
    original_delete_entry = NetworkAclBackend.delete_network_acl_entry

    def delete_db_cluster(self: Any, cluster_identifier: str, snapshot_name: str | None = None) -> Any:
        cluster = self.clusters.get(cluster_identifier)
        if cluster is not None and not cluster.deletion_protection and not cluster.members:
            _leave_global_cluster(self, cluster_identifier)
        return original_delete(self, cluster_identifier, snapshot_name)

    def remove_from_global_cluster(self: Any, global_cluster_identifier: str, db_cluster_identifier: str) -> Any:
        result = original_remove(self, global_cluster_identifier, db_cluster_identifier)
        identifier = db_cluster_identifier.split(":")[-1]  # the provider passes the cluster ARN
        global_cluster = _global_cluster_everywhere(self, global_cluster_identifier.split(":")[-1])
        if global_cluster is None:
            return result
        for member in list(global_cluster.members):
            if identifier in (member.db_cluster_identifier, getattr(member, "db_cluster_arn", None)):
                global_cluster.members.remove(member)
        return global_cluster

    def delete_network_acl_entry(self: Any, network_acl_id: str, rule_number: int, egress: bool) -> Any:
        acl = self.get_network_acl(network_acl_id)  # an unknown ACL keeps moto's own NotFound error
        if not any(e.egress == egress and e.rule_number == rule_number for e in acl.network_acl_entries):
            raise _nacl_entry_not_found(rule_number)
        return original_delete_entry(self, network_acl_id, rule_number, egress)

    return [(RDSBackend, "delete_db_cluster", delete_db_cluster),
            (RDSBackend, "remove_from_global_cluster", remove_from_global_cluster),
            (NetworkAclBackend, "delete_network_acl_entry", delete_network_acl_entry)]


_MARK = "_portal_ha_fixed"


def apply() -> None:
    """Patch moto in this process for good (idempotent); the emulator's server runs with this."""
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, _MARK, False):
        return
    for cls, name, replacement in _patches():
        setattr(cls, name, replacement)
    setattr(RDSBackend, _MARK, True)


@contextlib.contextmanager
def applied() -> Iterator[None]:
    """Patch moto for the duration of a ``with`` block, then restore moto's own methods (for tests)."""
    from moto.rds.models import RDSBackend

    if getattr(RDSBackend, _MARK, False):
        yield
        return
    patches = _patches()
    saved = [(cls, name, cls.__dict__[name]) for cls, name, _ in patches]
    for cls, name, replacement in patches:
        setattr(cls, name, replacement)
    setattr(RDSBackend, _MARK, True)
    try:
        yield
    finally:
        for cls, name, original in saved:
            setattr(cls, name, original)
        delattr(RDSBackend, _MARK)
