"""The internal tier's stateless firewall: network ACL rules admitting DMZ ranges (this datacenter's and its
peers') on NFS and MySQL, and letting the replies back out. Shared by built and adopted networks."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.network_acl_rule import NetworkAclRule
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from ..ports import MYSQL_PORT, NFS_PORT
from ..validation import construct_id

# Ports the internal tier serves to the DMZ: NFS (EFS) and MySQL (Aurora).
INTERNAL_SERVICE_PORTS = (NFS_PORT, MYSQL_PORT)
EPHEMERAL_PORTS = (1024, 65535)
RULE_NUMBER_STEP = 10


class InternalTierRules:
    """Adds the rules of one network ACL under ``scope`` (ids ``internal-in-...``/``internal-out-...``); rule
    numbers are handed out in order, per direction, from ``first_rule_number``; a range is admitted once."""

    def __init__(self, scope: Construct, *, provider: AwsProvider, network_acl_id: str,
                 first_rule_number: int = 100) -> None:
        self._scope, self._provider, self._acl = scope, provider, network_acl_id
        self._next = {"in": first_rule_number, "out": first_rule_number}
        self._done: set[tuple[str, str]] = set()

    def allow(self, cidr: str) -> None:
        for port in INTERNAL_SERVICE_PORTS:
            if ("in", f"{cidr}:{port}") in self._done:
                continue
            self._done.add(("in", f"{cidr}:{port}"))
            NetworkAclRule(
                self._scope, f"internal-in-{construct_id(cidr)}-{port}", provider=self._provider,
                network_acl_id=self._acl, rule_number=self._take("in"), egress=False, protocol="tcp",
                rule_action="allow", cidr_block=cidr, from_port=port, to_port=port,
            )
        if ("out", cidr) not in self._done:
            self._done.add(("out", cidr))
            NetworkAclRule(
                self._scope, f"internal-out-{construct_id(cidr)}", provider=self._provider,
                network_acl_id=self._acl, rule_number=self._take("out"), egress=True, protocol="tcp",
                rule_action="allow", cidr_block=cidr, from_port=EPHEMERAL_PORTS[0], to_port=EPHEMERAL_PORTS[1],
            )

    def _take(self, direction: str) -> int:
        number = self._next[direction]
        self._next[direction] += RULE_NUMBER_STEP
        return number
