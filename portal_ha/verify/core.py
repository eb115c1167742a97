"""The frame of ``portal-ha verify``: a result row, the rule registry, running every rule, the table.

A rule is a function of (manifest, clients) yielding one ``Result`` per datacenter (or per pair, or once). A
rule that cannot be checked, or whose feature the stack turned off, says SKIP with the reason: a SKIP is never
counted as a pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from stacks.manifest import DatacenterManifest, Manifest

from ..aws import Clients

if TYPE_CHECKING:
    from types_boto3_autoscaling.type_defs import AutoScalingGroupTypeDef
    from types_boto3_ec2.type_defs import InstanceTypeDef

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


@dataclass(frozen=True)
class Result:
    rule: str
    scope: str
    status: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def verdict(rule_id: str, scope: str, problems: list[str], passed: str) -> Result:
    """FAIL listing the problems, or PASS saying what was seen."""
    return Result(rule_id, scope, FAIL if problems else PASS, "; ".join(problems) if problems else passed)


Rule = Callable[[Manifest, Clients], Iterator[Result]]


class Rules:
    """The rules of one module, in the order they are declared: ``@rules("rule-id")`` registers one."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, Rule]] = []

    def __call__(self, rule_id: str) -> Callable[[Rule], Rule]:
        def register(func: Rule) -> Rule:
            self.entries.append((rule_id, func))
            return func

        return register


def turned_off(rule_id: str, manifest: Manifest, dc: DatacenterManifest, key: str) -> Result:
    """The SKIP row of a feature the configuration turned off, naming the key (``section.field``) that did."""
    return Result(rule_id, dc.name, SKIP, f"turned off in the configuration ({manifest.architecture}.{key})")


def group(dc: DatacenterManifest, aws: Clients) -> AutoScalingGroupTypeDef | None:
    """The datacenter's Auto Scaling group as AWS describes it (None: fixed instances, or no such group)."""
    name = dc.autoscaling_group_name
    if not name:
        return None
    found = aws("autoscaling", dc.region).describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    groups = found["AutoScalingGroups"]
    return groups[0] if groups else None


def instance_ids(dc: DatacenterManifest, aws: Clients) -> list[str]:
    """The portal instances' ids: the fixed ones, or those the Auto Scaling group holds now."""
    if not dc.autoscaling_group_name:
        return list(dc.instance_ids)
    found = group(dc, aws)
    return [i["InstanceId"] for i in found["Instances"]] if found else []


def instances(dc: DatacenterManifest, aws: Clients) -> list[InstanceTypeDef]:
    """The portal instances of a datacenter, as EC2 describes them."""
    ids = instance_ids(dc, aws)
    if not ids:
        return []
    found = aws("ec2", dc.region).describe_instances(InstanceIds=ids)["Reservations"]
    return [i for r in found for i in r["Instances"]]


def run(rules: list[tuple[str, Rule]], manifest: Manifest, aws: Clients | None = None) -> list[Result]:
    """Run the rules; an exception inside a rule becomes a FAIL row naming it, not a crash."""
    aws = aws or Clients()
    results: list[Result] = []
    for rule_id, func in rules:
        try:
            results.extend(func(manifest, aws))
        except Exception as exc:  # noqa: BLE001 - a failed AWS call is a failed check
            results.append(Result(rule_id, "all", FAIL, f"{type(exc).__name__}: {exc}"))
    return results


def render_table(results: list[Result]) -> str:
    widths = [max([len(f)] + [len(getattr(r, f)) for r in results]) for f in ("rule", "scope", "status")]
    header = f"{'RULE':<{widths[0]}}  {'SCOPE':<{widths[1]}}  {'STATUS':<6}  DETAIL"
    lines = [header, "-" * len(header)]
    lines += [f"{r.rule:<{widths[0]}}  {r.scope:<{widths[1]}}  {r.status:<6}  {r.detail}" for r in results]
    counts = {s: sum(1 for r in results if r.status == s) for s in (PASS, FAIL, SKIP)}
    lines.append(f"verify: {counts[PASS]} PASS, {counts[FAIL]} FAIL, {counts[SKIP]} SKIP")
    return "\n".join(lines)
