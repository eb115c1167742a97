"""``portal-ha evacuate ARCH DC`` / ``portal-ha restore ARCH DC``: take a datacenter out of the global load
balancer for maintenance (and put it back) through the configuration (``<arch>.global_lb.evacuated``), so
Terraform and AWS agree. Nothing is destroyed: Route 53 drops the datacenter's record and keeps its health
check; Global Accelerator dials its endpoint group to 0. The datacenter keeps running, its database cluster
keeps replicating, and its own NLB still answers (for checks before restoring it).

Steps: ``settings`` (the new list, shown, written with consent), ``reconcile`` (apply; a new plan shows no
changes), ``verify`` (the evacuated datacenter is a SKIP row, everything else passes). Running the command
again after a failure resumes: a written setting is not asked again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from constructs_lib.errors import required
from constructs_lib.global_lb_props import evacuation_problems
from stacks.manifest import Manifest
from stacks.settings import Settings

from .config_edit import Change, SettingsStep, change
from .deployment import CONVERGE, VERIFY, Deployment, Refused, converge, multi_datacenter, verified
from .timeline import Always, Timeline


def evacuation_change(settings: Settings, arch: str, datacenter: str, *, evacuate: bool) -> Change:
    """The new ``global_lb.evacuated`` list, or Refused (no AWS call is made here)."""
    config = multi_datacenter(settings, arch, datacenter,
                              single=" and no global load balancer: there is nothing to take it out of")
    names = [dc.name for dc in config.datacenters]
    listed = list(config.section("global_lb").get("evacuated", ()))
    if evacuate:
        after = listed if datacenter in listed else [*listed, datacenter]
        problems = evacuation_problems(after, names)
        if problems:
            raise Refused(f"evacuating {datacenter} is refused: {datacenter} is the last datacenter serving "
                                    f"users ({'; '.join(map(str, problems))})")
    else:
        if datacenter not in listed:
            raise Refused(f"{datacenter} is not evacuated ({arch}.global_lb.evacuated is "
                                    f"{listed or 'empty'}): nothing to restore")
        after = [name for name in listed if name != datacenter]
    return change(Path(settings.source), (arch, "global_lb", "evacuated"), after or None)


class Evacuation:
    """Runs ``settings``, ``reconcile`` and ``verify`` for an evacuation or a restore."""

    def __init__(self, deployment: Deployment, planned: Change, datacenter: str, *, evacuate: bool,
                 consent: Callable[[list[Change]], bool], echo: Callable[[str], None]) -> None:
        self.deployment, self.planned, self.datacenter = deployment, planned, datacenter
        self.evacuate, self.consent, self.echo = evacuate, consent, echo
        self.manifest: Manifest | None = None
        verb = "evacuation" if evacuate else "restore"
        self.timeline = Timeline(f"{verb} of {datacenter} in {deployment.arch}", echo=echo)

    def run(self) -> Timeline:
        source = self.deployment.settings().source
        planned = self.planned
        written = SettingsStep(
            source=lambda: Path(self.deployment.settings().source),
            changes=lambda: [change(Path(self.deployment.settings().source), planned.path, planned.after)],
            consent=self.consent, echo=self.echo,
            already=lambda: f"{planned.key} already is {planned.after or '(unset)'}")
        self.timeline.run("settings", done=written.done, act=written.act,
                          state=f"{source} and the deployment are as they were")
        self.timeline.run("reconcile", done=Always(CONVERGE), act=self._reconcile,
                          state=f"{source} says {self.planned.describe()}; Terraform's apply did not finish")
        self.timeline.run("verify", done=Always(VERIFY), act=self._verify,
                          state="applied; verify found a problem (see above)")
        return self.timeline

    def _reconcile(self) -> str:
        self.manifest = converge(self.deployment)
        joined = self.manifest.joined
        listed = joined.global_lb.evacuated if joined is not None else ()
        return f"applied; a new plan shows no changes; evacuated: {', '.join(listed) or 'none'}"

    def _verify(self) -> str:
        return verified(self.deployment, required(self.manifest, "the reconcile step ran before verify"))
