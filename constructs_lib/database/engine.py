"""Aurora MySQL engine versions: which are accepted, their parameter group family, and global write forwarding.

Axway supports MySQL 5.7 and MariaDB 10.4+ for API Portal's database. Aurora MySQL 3 is MySQL 8.0-compatible
and is the default; Aurora MySQL 2 (MySQL 5.7-compatible) is past the end of standard support and is accepted
only with ``allow_extended_support_engine=True`` (AWS charges RDS Extended Support for it).
"""

from __future__ import annotations

import re

from ..errors import ConfigError, Problem

ENGINE = "aurora-mysql"
DEFAULT_ENGINE_VERSION = "8.0.mysql_aurora.3.08.2"
ENGINE_VERSION_PATTERN = re.compile(
    r"^(8\.0\.mysql_aurora\.3\.\d{2}\.\d+|5\.7\.mysql_aurora\.2\.\d{2}\.\d+)$"
)
# Global write forwarding: Aurora MySQL 3.04 and later on version 3, 2.08.1 and later on version 2.
MIN_WRITE_FORWARDING = {3: (4, 0), 2: (8, 1)}
EXTENDED_SUPPORT = "open-source-rds-extended-support"
"""``engine_lifecycle_support`` of an Aurora MySQL 2 cluster: said explicitly instead of enrolled silently."""


def parse_engine_version(version: str) -> tuple[int, int, int] | None:
    """``8.0.mysql_aurora.3.08.2`` -> (3, 8, 2); None when the version is not an Aurora MySQL 2/3 version."""
    if not isinstance(version, str) or not ENGINE_VERSION_PATTERN.match(version):
        return None
    major, minor, patch = version.split(".")[-3:]
    return int(major), int(minor), int(patch)


def unknown_version_problem(version: str, where: str) -> Problem:
    """The problem of a ``version`` that ``parse_engine_version`` does not accept."""
    return Problem(
        f"{where}.engine_version", version, f"is not an Aurora MySQL 3 or 2 version: use for example "
        f"{DEFAULT_ENGINE_VERSION} (Aurora MySQL 3.x is MySQL 8.0-compatible; 5.7.mysql_aurora.2.x is MySQL "
        "5.7-compatible)"
    )


def engine_major(version: str, where: str = "database") -> int:
    """2 or 3 for an accepted version; any other version is a ``ConfigError`` (validated props have neither)."""
    parsed = parse_engine_version(version)
    if parsed is None:
        raise ConfigError([unknown_version_problem(version, where)])
    return parsed[0]


def parameter_group_family(version: str) -> str:
    """The parameter group family of an Aurora MySQL version: ``aurora-mysql8.0`` or ``aurora-mysql5.7``."""
    return f"{ENGINE}{version.split('.mysql_aurora.')[0]}"


def supports_global_write_forwarding(version: str) -> bool:
    parsed = parse_engine_version(version)
    if parsed is None:
        return False
    major, minor, patch = parsed
    return (minor, patch) >= MIN_WRITE_FORWARDING[major]


def write_forwarding_problem(version: str, where: str) -> Problem | None:
    """Why ``version`` cannot serve a global database whose secondaries forward writes, else None."""
    if parse_engine_version(version) is None or supports_global_write_forwarding(version):
        return None
    return Problem(
        f"{where}.engine_version", version, "does not support global write forwarding, which lets every "
        "datacenter write to the global database: use Aurora MySQL 3.04 or later (for example "
        f"{DEFAULT_ENGINE_VERSION}), or 2.08.1 or later on Aurora MySQL 2", literal=False
    )
