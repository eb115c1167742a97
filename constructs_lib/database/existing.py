"""Adopting a database cluster that already exists: ``ExistingDatabaseCluster`` describes it (identifier,
endpoints, security group, validated when plain), and ``ImportedDatabaseCluster`` (``imported.py``) exposes it
as an ``IDatabaseCluster``, creating no database resource (aws-cdk's ``DatabaseCluster.fromDatabaseClusterAttributes``
in spirit). Loads no provider binding."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem, Problems
from ..ports import MYSQL_PORT
from ..validation import check_resource_id, dns_name_problems, is_int, known

WHERE = "existing_database_cluster"
CLUSTER_IDENTIFIER_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")  # RDS: letter first, no '--', no '-' last
MAX_CLUSTER_IDENTIFIER = 63
SECRET_ARN_PATTERN = re.compile(r"^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")
MIN_PORT, MAX_PORT = 1150, 65535  # Aurora MySQL ports


@dataclass(frozen=True, kw_only=True)
class ExistingDatabaseCluster:
    """An Aurora MySQL cluster that already exists in the internal subnets of the datacenter it is adopted in,
    adopted read-only: nothing of it is created or changed but the MySQL ingress rules added to its security
    group. Values may be cdktf tokens (read with the ``aws_rds_cluster`` data source, for example) and are
    validated only when plain."""

    cluster_identifier: str
    """The cluster's identifier (lower-case letters, digits and hyphens, starting with a letter)."""
    db_writer_endpoint: str
    """The cluster (writer) endpoint's DNS name."""
    db_reader_endpoint: str
    """The reader endpoint's DNS name."""
    security_group_id: str
    """The cluster's security group (``sg-...``): the portal instances' security group is admitted there on the
    cluster's port (``allow_clients_from_security_group``), and so are listed ranges (``allow_clients_from``)."""
    db_port: int = MYSQL_PORT
    """The port the cluster listens on. Default: 3306, MySQL's."""
    db_secret_arn: str | None = None
    """The Secrets Manager secret holding the master credentials, when there is one. Default: None (the
    credentials are kept outside Secrets Manager)."""

    def __post_init__(self) -> None:
        problems = Problems()
        name = self.cluster_identifier
        if known(name):
            problems.check(
                isinstance(name, str) and len(name) <= MAX_CLUSTER_IDENTIFIER
                and bool(CLUSTER_IDENTIFIER_PATTERN.match(name)),
                Problem(f"{WHERE}.cluster_identifier", name, f"is not an RDS cluster identifier: use 1 to "
                        f"{MAX_CLUSTER_IDENTIFIER} lower-case letters, digits and single hyphens, starting with a "
                        "letter (for example portal-dc1-db)"),
            )
        for field_name in ("db_writer_endpoint", "db_reader_endpoint"):
            value = getattr(self, field_name)
            if known(value):
                problems.extend(dns_name_problems(value, f"{WHERE}.{field_name}", min_labels=3))
        check_resource_id(self.security_group_id, "sg", f"{WHERE}.security_group_id", problems)
        problems.check(
            is_int(self.db_port) and MIN_PORT <= self.db_port <= MAX_PORT,
            Problem(f"{WHERE}.db_port", self.db_port, f"is out of range: Aurora MySQL listens on {MIN_PORT} to "
                    f"{MAX_PORT}; use {MYSQL_PORT}"),
        )
        secret = self.db_secret_arn
        if secret is not None and known(secret):
            problems.check(
                isinstance(secret, str) and bool(SECRET_ARN_PATTERN.match(secret)),
                Problem(f"{WHERE}.db_secret_arn", secret, "is not a Secrets Manager secret ARN: use for example "
                        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:portal-db-AbCdEf, or None"),
            )
        problems.raise_if_any()
