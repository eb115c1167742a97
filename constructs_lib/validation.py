"""Validators every props class shares: each one appends a problem (field path, bad value, fix) to ``Problems``
and never raises, so a configuration reports all of its problems at once.

Values that may be cdktf tokens (ids, ARNs, names read from other resources) are checked only when
``known``: a token is resolved by Terraform at plan time.
"""

from __future__ import annotations

import ipaddress
import re
import sys

from .errors import Problem, Problems

# AWS region names: partition prefix, geography, number (us-east-1, ap-southeast-3, us-gov-west-1, cn-north-1).
REGION_PATTERN = re.compile(r"^[a-z]{2}(-gov|-iso|-isob)?-[a-z]+-\d$")
# A name prefix ends up inside names AWS limits to letters, digits and hyphens (NLB, target group, DB ids).
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]*[a-z0-9]$|^[a-z]$")
# A KMS key ARN (not an alias: EFS and RDS want the key itself). The region group is checked against the DC.
KMS_KEY_ARN_PATTERN = re.compile(r"^arn:aws(-[a-z]+)*:kms:(?P<region>[a-z0-9-]+):\d{12}:key/[A-Za-z0-9-]+$")
DNS_LABEL_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_DNS_NAME = 253
RESOURCE_ID_PATTERNS = {
    "vpc": re.compile(r"^vpc-[0-9a-f]{8,17}$"),
    "subnet": re.compile(r"^subnet-[0-9a-f]{8,17}$"),
    "rtb": re.compile(r"^rtb-[0-9a-f]{8,17}$"),
    "acl": re.compile(r"^acl-[0-9a-f]{8,17}$"),
    "sg": re.compile(r"^sg-[0-9a-f]{8,17}$"),
    "fs": re.compile(r"^fs-[0-9a-f]{8,17}$"),
    "fsap": re.compile(r"^fsap-[0-9a-f]{8,17}$"),
}
OPEN_TO_THE_WORLD = ipaddress.IPv4Network("0.0.0.0/0")
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def known(value: object) -> bool:
    """True for a value that can be checked now; False for a cdktf token (known only at plan time). None and
    other non-strings are known. Only cdktf makes tokens: while it is not loaded (settings validation, which
    must stay free of jsii), no value can be one, and cdktf is not imported to ask."""
    if not isinstance(value, str):
        return True
    cdktf = sys.modules.get("cdktf")
    return cdktf is None or not cdktf.Token.is_unresolved(value)


def is_int(value: object) -> bool:
    """A whole number, not a bool (JSON ``true`` is not an integer here)."""
    return isinstance(value, int) and not isinstance(value, bool)


def construct_id(value: str) -> str:
    """A value (a CIDR, or a token) as a construct id fragment: ids may not hold '/'."""
    return _ID_UNSAFE.sub("_", value)


def parse_network(value: str, field: str, problems: Problems) -> ipaddress.IPv4Network | None:
    """An IPv4 network in CIDR form, or None with a problem recorded."""
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError) as exc:
        problems.add(Problem(field, value, f"is not a valid IPv4 CIDR ({exc}): use a network address such as "
                                           "10.0.0.0/16"))
        return None


def check_region(region: str, field: str, problems: Problems) -> None:
    problems.check(
        isinstance(region, str) and bool(REGION_PATTERN.match(region)),
        Problem(field, region, "is not a well-formed AWS region name: use a region such as us-east-1 or eu-west-1"),
    )


def check_name(value: str, field: str, max_length: int, problems: Problems) -> None:
    if not isinstance(value, str) or not NAME_PATTERN.match(value):
        problems.add(Problem(
            field, value, "must be lower-case letters, digits and hyphens, starting with a letter and not ending "
            "with a hyphen: AWS resource names derived from it allow nothing else"
        ))
    elif len(value) > max_length:
        problems.add(Problem(field, value, f"is {len(value)} characters: use at most {max_length}"))


def check_client_cidr(cidr: str, field: str, problems: Problems) -> None:
    """A client range: a valid IPv4 CIDR and never the whole internet."""
    if not known(cidr):
        return
    net = parse_network(cidr, field, problems)
    if net is not None:
        problems.check(
            net != OPEN_TO_THE_WORLD,
            Problem(field, cidr, "opens the port to the whole internet: list the client ranges (for example the "
                    "DMZ subnets of peer datacenters), never 0.0.0.0/0", literal=False),
        )


def check_kms_key_arn(value: str | None, field: str, problems: Problems) -> None:
    """A KMS key ARN in the right shape (its region is checked by the construct, which knows the DC)."""
    if value is None or not known(value):
        return
    problems.check(
        isinstance(value, str) and bool(KMS_KEY_ARN_PATTERN.match(value)),
        Problem(field, value, "is not a KMS key ARN: use arn:aws:kms:<region>:<account>:key/<key-id> (a key in "
                "the datacenter's region), or leave it unset for the AWS-managed key"),
    )


def kms_key_region_problem(value: str | None, field: str, region: str, detail: str = "") -> Problem | None:
    """The problem when a (well-formed) KMS key ARN is in another region than ``region``, else None (``detail``:
    the words that narrow ``field``, such as ``sites[dc2].kms_key_arn``)."""
    if value is None or not known(value):
        return None
    match = KMS_KEY_ARN_PATTERN.match(value)
    if match is None or match.group("region") == region:
        return None
    return Problem(field, detail=detail, fix=f"is a key in region {match.group('region')} but the datacenter is in "
                   f"region {region}: KMS keys are regional; use a key created in {region}")


def check_resource_id(value: object, kind: str, label: str, problems: Problems) -> None:
    """An AWS resource id of ``kind`` (``vpc-...``, ``subnet-...``, ``rtb-...``, ``acl-...``, ``sg-...``,
    ``fs-...``, ``fsap-...``), when known."""
    if not known(value):
        return
    problems.check(
        isinstance(value, str) and bool(RESOURCE_ID_PATTERNS[kind].match(value)),
        Problem(label, value, f"is not a {kind} id: use {kind}- followed by 8 to 17 hex digits, such as "
                f"{kind}-0123456789abcdef0"),
    )


def dns_name_problems(value: str, field: str, *, min_labels: int = 2) -> list[Problem]:
    """Why ``value`` is not a lower-case DNS name (labels of 1-63 of [a-z0-9-], no leading/trailing '-',
    at most 253 characters, at least ``min_labels`` labels, no trailing dot). Empty when it is one."""
    example = "portal.example.com"
    if not isinstance(value, str) or not value:
        return [Problem(field, value, f"is not a DNS name: use a name such as {example}")]
    problems: list[Problem] = []
    if value != value.lower():
        problems.append(Problem(field, value, f"has upper-case letters: write DNS names in lower case "
                                              f"({value.lower()})"))
    if value.endswith("."):
        problems.append(Problem(field, value, "ends with a dot: write it without the trailing dot"))
    if len(value) > MAX_DNS_NAME:
        problems.append(Problem(field, value, f"is {len(value)} characters: DNS names hold at most {MAX_DNS_NAME}"))
    labels = value.lower().rstrip(".").split(".")
    bad = [label for label in labels if not DNS_LABEL_PATTERN.match(label)]
    if bad:
        problems.append(Problem(
            field, value, f"has invalid label(s) {bad}: each label is 1 to 63 letters, digits or hyphens, not "
            f"starting or ending with a hyphen (e.g. {example})"
        ))
    if len(labels) < min_labels:
        problems.append(Problem(field, value, f"has {len(labels)} label(s): use at least {min_labels}, e.g. "
                                              f"{example}"))
    return problems
