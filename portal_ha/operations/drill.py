"""``portal-ha drill ARCH --local``: the disaster-recovery rehearsal, end to end on the emulator.

up (or reuse the deployment), verify, fail over to another datacenter (its steps end with verify: the writer
and the writable file system are there, every traffic record healthy), fail back (verify again), then the
timeline and an RTO/RPO summary. A drill that fails leaves a journal: running it again resumes the leg that
failed (the failover's own steps check AWS first) and goes on.

A drill ends with the configuration file as it began. The failover writes the keys it must (``primary``,
``database_home`` pinned, the file system's ``replication_region``...); the failback writes ``primary`` back,
but a pinned ``database_home`` or a ``replication_region`` that was unset would stay. The last step puts every
such key back to its value before the drill, and checks that the stack synthesized from the restored file is
the one just deployed (so Terraform has nothing to change); if it is not, it writes back what the failback left
and fails, naming the keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from constructs_lib.synthesized import SynthesizedStack

from .config_edit import Change, change, current, pending, write
from .deployment import Deployment, Journal, SettingsBefore, verified
from .failover import Failover, preflight, settings_keys
from .timeline import OperationError, Timeline

OPERATION = "drill"
WRITE_OUTAGE_STEPS = ("database", "file-system", "terraform-state", "remount")
"""Until these end, some writes wait: database writes during the switchover, file writes until every instance
mounts the new primary."""


@dataclass(frozen=True)
class Summary:
    """What the drill measured, per leg: how long writes were held up and how much could have been lost."""

    leg: str
    write_outage_seconds: float
    """The database switchover, and with a shared file system until every instance mounts the new primary."""
    total_seconds: float
    """The whole leg, settings and Terraform included (the portal serves reads throughout)."""
    rpo: str

    def line(self) -> str:
        return (f"  {self.leg:<9} RTO (until every write lands on the new primary) {self.write_outage_seconds:6.1f} s;"
                f" whole leg {self.total_seconds:6.1f} s; RPO {self.rpo}")


def _always(_: list[Change]) -> bool:
    return True


class Drill:
    def __init__(self, deployment: Deployment, *, echo: Callable[[str], None], poll_seconds: float) -> None:
        self.deployment, self.echo, self.poll_seconds = deployment, echo, poll_seconds
        self.timeline = Timeline(f"DR drill of {deployment.arch}", echo=echo)
        self.summaries: list[Summary] = []

    def run(self) -> Timeline:
        arch = self.deployment.arch
        settings = self.deployment.settings()
        config = settings.architectures[arch]
        journal = Journal.read(OPERATION, arch)
        if journal is None:
            other = next(dc.name for dc in config.datacenters if dc.name != config.primary)
            file = Path(settings.source)
            journal = Journal(OPERATION, arch, source=config.primary, target=other,
                              settings_before=tuple((key, current(file, key)) for key in settings_keys(arch)))
        else:
            self.echo(f"resuming the drill: {journal.source} -> {journal.target} -> {journal.source}; done: "
                      f"{', '.join(journal.legs_done) or 'nothing yet'}")
        journal.save()
        started = journal
        self.timeline.run("up", done=self._deployed, act=self._up, state="the deployment is not (fully) up")
        self.timeline.run("verify", done=lambda: self._resumed(started), act=self._verify,
                          state="deployed; verify found a problem before any failover (see above)")
        for leg, target in (("failover", journal.target), ("failback", journal.source)):
            if leg in journal.legs_done:
                continue
            self._leg(leg, target)
            journal = replace(journal, legs_done=(*journal.legs_done, leg))
            journal.save()
        before = journal.settings_before
        self.timeline.run("restore-settings", done=lambda: self._restored(before), act=lambda: self._restore(before),
                          state=f"failed back to {journal.source}; the configuration may still hold keys the "
                                "failover wrote (see above)")
        journal.close()
        return self.timeline

    def _restoring(self, before: SettingsBefore) -> list[Change]:
        file = Path(self.deployment.settings().source)
        return pending([change(file, key, value) for key, value in before])

    def _restored(self, before: SettingsBefore) -> str | None:
        if self._restoring(before):
            return None
        return f"{self.deployment.settings().source} is as it was before the drill"

    def _restore(self, before: SettingsBefore) -> str:
        changes = self._restoring(before)
        source = Path(self.deployment.settings().source)
        deployed = SynthesizedStack.load(self.deployment.synth()).document
        self.echo(f"    restoring {source} to what it was before the drill:")
        for item in changes:
            self.echo(f"      {item.describe()}")
        write(source, changes)
        restored = SynthesizedStack.load(self.deployment.synth()).document
        if restored != deployed:
            write(source, [Change(c.path, c.after, c.before) for c in changes])
            self.deployment.synth()
            raise OperationError(
                f"restoring {', '.join(c.key for c in changes)} would change the deployment (the stack synthesized "
                f"from the restored file differs from the one deployed): {source} keeps the values the failback "
                "wrote")
        return f"{source}: " + "; ".join(item.describe() for item in changes) + " (the same stack)"

    def _deployed(self) -> str | None:
        return "reused the running deployment" if self.deployment.deployed() else None

    def _up(self) -> str:
        self.deployment.up()
        return "deployed"

    @staticmethod
    def _resumed(journal: Journal) -> str | None:
        return "resumed drill: verify runs at the end of each leg" if journal.legs_done or Journal.read(
            "failover", journal.arch) else None

    def _verify(self) -> str:
        return verified(self.deployment, self.deployment.manifest(self.deployment.synth()))

    def _leg(self, leg: str, target: str) -> None:
        settings = self.deployment.settings()
        plan = preflight(settings, self.deployment.arch, target, unplanned=False)
        self.timeline.prefix = f"{leg} to {target}: "
        first = len(self.timeline.entries)
        failover = Failover(plan, self.deployment, consent=_always, echo=self.echo, poll_seconds=self.poll_seconds,
                            timeline=self.timeline)
        try:
            failover.run()
        finally:
            self.timeline.prefix = ""
        entries = self.timeline.entries[first:]
        outage = sum(e.seconds for e in entries if e.step.split(": ", 1)[-1] in WRITE_OUTAGE_STEPS)
        if failover.lost_seconds is not None:
            rpo = f"{failover.lost_seconds:.0f} s of file changes (EFS LastReplicatedTimestamp)"
        elif plan.shared:
            rpo = ("0 for the database (a managed switchover waits for the secondary); the file system's lag is not "
                   "reported here (the emulator copies no data: see README Limits)")
        else:
            rpo = "0 for the database (a managed switchover waits for the secondary)"
        self.summaries.append(Summary(leg, outage, sum(e.seconds for e in entries), rpo))

    def summary(self) -> str:
        lines = ["RTO/RPO summary:", *(s.line() for s in self.summaries)]
        if not self.summaries:
            lines.append("  (no leg ran in this invocation)")
        if self.deployment.local:
            lines.append("  on the emulator a switchover completes at the next poll and an instance refresh at the "
                         "next describe: on AWS both take minutes (see README Limits)")
        return "\n".join(lines)
