"""One error type for every configuration problem, raised before anything is synthesized or deployed."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

# AWS region names: partition prefix, geography, number (us-east-1, ap-southeast-3, us-gov-west-1, cn-north-1).
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$")
# A name prefix ends up inside names AWS limits to letters, digits and hyphens (NLB, target group, DB ids).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$")


# Security-group rules that reference another group carry their purpose as a ``Name`` tag rather than a
# ``description``: moto 5.2 drops the description of such rules, which would show as drift on every plan.
SG_REFERENCE_NOTE = "rules referencing a security group are described by their Name tag"


class ConfigError(ValueError):
    """Every problem found in one configuration, each naming the field, the bad value and the fix."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: list[str] = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")


class Problems:
    """Collects problems so that a config reports all of them at once, not just the first."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def check(self, ok: bool, message: str) -> bool:
        if not ok:
            self.items.append(message)
        return ok

    def extend(self, other: Iterable[str]) -> None:
        self.items.extend(other)

    def raise_if_any(self) -> None:
        if self.items:
            raise ConfigError(self.items)


def parse_network(value: str, field: str, problems: Problems) -> ipaddress.IPv4Network | None:
    """An IPv4 network in CIDR form, or None with a problem recorded."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError) as exc:
        problems.add(f"{field} {value!r} is not a valid IPv4 CIDR ({exc}): use a network address such as 10.0.0.0/16")
        return None


def check_region(region: str, field: str, problems: Problems) -> None:
    problems.check(
        isinstance(region, str) and bool(REGION_PATTERN.match(region)),
        f"{field} {region!r} is not a well-formed AWS region name: use a region such as us-east-1 or eu-west-1",
    )


def check_name(value: str, field: str, max_length: int, problems: Problems) -> None:
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        problems.add(
            f"{field} {value!r} must be lower-case letters, digits and hyphens, starting with a letter and not "
            "ending with a hyphen: AWS resource names derived from it allow nothing else"
        )
    elif len(value) > max_length:
        problems.add(f"{field} {value!r} is {len(value)} characters: use at most {max_length}")
