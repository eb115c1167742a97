"""The HA rule pack as a cdktf Aspect: it evaluates every rule on what a stack really synthesizes and
annotates the offending constructs.

During synthesis ``error`` findings make cdktf fail the synth (``App.synth()`` raises, and the cdktf CLI prints
the errors and exits non-zero). A waived rule is never silent: the stack gets a warning naming every waived
rule id and its reason, and each waived finding stays visible as an info annotation. ``enforce_ha_checks(app)``
evaluates the same rules before synthesis and raises ``PolicyError`` (a ``ConfigError``), for entry points that
want a readable error and no jsii traceback (and because ``CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`` turns
cdktf's own failure off).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import jsii
from cdktf import Annotations, Aspects, IAspect, TerraformStack
from constructs import IConstruct

from ..errors import ConfigError
from .facts import facts_from
from .pack import Finding, check_waivers, errors_of, run_rules


class PolicyError(ConfigError):
    """Error-level HA/security findings, raised by ``enforce_ha_checks`` before anything is synthesized."""

    def __init__(self, problems: Iterable[str]) -> None:
        super().__init__(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        self.args = (f"{len(self.problems)} HA/security check(s) failed (fix them, or waive a rule with a "
                     f"reason for a lab: apply_ha_checks(stack, waive={{'HA7': 'lab profile'}})):\n{lines}",)


def _find(stack: TerraformStack, path: str | None) -> IConstruct:
    """The construct at ``path`` (a path from the app root), or the stack itself."""
    if not path:
        return stack
    prefix = stack.node.path + "/"
    if not path.startswith(prefix):
        return stack
    node: IConstruct = stack
    for part in path[len(prefix):].split("/"):
        child = node.node.try_find_child(part)
        if child is None:
            break
        node = child
    return node


@jsii.implements(IAspect)
class HaChecks:
    """The HA and security rules as a cdktf Aspect: it annotates the offending constructs.

    ``waive`` maps rule ids to the reason they do not apply (a lab profile, for example). A waived rule's
    findings become info annotations, and the stack gets one warning naming every waived id and reason.
    Findings of the last evaluation are in ``findings`` (stack path -> findings).
    """

    def __init__(self, *, waive: Mapping[str, str] | None = None) -> None:
        waive = dict(waive or {})
        check_waivers(waive)
        self.waive: dict[str, str] = waive
        self.findings: dict[str, list[Finding]] = {}

    def evaluate(self, stack: TerraformStack) -> list[Finding]:
        """Run every rule on ``stack`` as it synthesizes now; annotate nothing."""
        findings = run_rules(facts_from(stack.to_terraform(), stack.node.id), self.waive)
        self.findings[stack.node.path] = findings
        return findings

    def visit(self, node: IConstruct) -> None:
        if not TerraformStack.is_stack(node):
            return
        stack: TerraformStack = node  # type: ignore[assignment]
        findings = self.evaluate(stack)
        if self.waive:
            waived = "; ".join(f"{rule_id} ({reason})" for rule_id, reason in self.waive.items())
            Annotations.of(stack).add_warning(
                f"[HA checks] waived for this stack: {waived}. Their findings are listed as info, "
                "not enforced")
        for finding in findings:
            target = Annotations.of(_find(stack, finding.path))
            if finding.waived is not None:
                target.add_info(str(finding))
            elif finding.level == "error":
                target.add_error(str(finding))
            else:
                target.add_warning(str(finding))


def apply_ha_checks(stack: TerraformStack, *, waive: Mapping[str, str] | None = None) -> HaChecks:
    """Add the HA checks to ``stack`` (they run during synthesis); ``waive``: rule id -> reason.

    Returns the aspect (its ``findings`` fill during synthesis)."""
    checks = HaChecks(waive=waive)
    Aspects.of(stack).add(checks)
    return checks


def check_stack(stack: TerraformStack, *, waive: Mapping[str, str] | None = None) -> list[Finding]:
    """Every rule's findings for ``stack`` now, without annotating it."""
    return HaChecks(waive=waive).evaluate(stack)


def _stacks(scope: IConstruct) -> list[TerraformStack]:
    if TerraformStack.is_stack(scope):
        return [scope]  # type: ignore[list-item]
    return [c for c in scope.node.find_all() if TerraformStack.is_stack(c)]  # type: ignore[misc]


def enforce_ha_checks(scope: IConstruct) -> list[Finding]:
    """Evaluate the ``HaChecks`` applied to every stack under ``scope`` (an App or a stack) now, and raise
    ``PolicyError`` listing every error that is not waived. Returns all findings when there is none.

    Call it before ``app.synth()`` in an entry point: the user then gets a readable list instead of cdktf's
    error, and the checks hold even when ``CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS`` is set.
    """
    all_findings: list[Finding] = []
    errors: list[str] = []
    for stack in _stacks(scope):
        aspects = [a for node in stack.node.scopes for a in Aspects.of(node).all if isinstance(a, HaChecks)]
        for checks in aspects:
            findings = checks.evaluate(stack)
            all_findings += findings
            errors += [f"{stack.node.id}: {finding}" for finding in errors_of(findings)]
    if errors:
        raise PolicyError(errors)
    return all_findings
