"""Progress of ``terraform apply``/``destroy`` that a person can follow, read from Terraform's JSON UI.

``terraform apply -json`` streams one JSON object per line: the plan's ``change_summary`` (how many changes
are coming), then ``apply_start`` / ``apply_progress`` / ``apply_complete`` / ``apply_errored`` for each
resource (data sources read while planning report ``read`` and are not counted), and ``diagnostic``
messages. ``Progress`` folds them into ``[done/total]``, the elapsed time and what
is still waiting (``3 in progress: aws_rds_cluster.db_dc2_cluster (24 s), ...``):

- on a terminal, one line that updates in place;
- otherwise (CI logs), a plain line per finished resource, and a "waiting" line when nothing has finished for
  ``quiet_seconds``.
Errors (diagnostics) are always printed in full, as they arrive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from .json_value import JSON

# cdktf appends an 8-hex-digit hash to every logical id (``db_dc2_cluster_C7E0EC43``); it says nothing to a reader.
_CDKTF_HASH = re.compile(r"_[0-9A-F]{8}(?=$|\[)")
PAST = {"create": "created", "update": "updated", "delete": "destroyed", "read": "read", "replace": "replaced",
        "noop": "unchanged"}
SHOWN_IN_PROGRESS = 3
SENSITIVE = "(sensitive)"
TARGETING_WARNINGS = ("Resource targeting is in effect", "Applied changes may be incomplete")
"""Terraform's warnings for every ``-target`` run ("not for routine use"). The tool targets on purpose (a
failover's remount) and says so itself, once; with ``targeted`` these are not shown."""


def short_address(address: str) -> str:
    """``aws_rds_cluster.db_dc2_cluster_C7E0EC43`` -> ``aws_rds_cluster.db_dc2_cluster``."""
    return _CDKTF_HASH.sub("", address)


def clock_text(seconds: float) -> str:
    """``42s``, ``3m05s``."""
    whole = int(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


@dataclass
class Progress:
    """Folds Terraform's JSON UI events into a readable progress display on ``out``."""

    out: TextIO
    tty: bool
    clock: Callable[[], float]
    quiet_seconds: float = 30.0
    total: int | None = None
    done: int = 0
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Every error diagnostic, as printed."""
    running: dict[str, float] = field(default_factory=dict)
    """Address -> when Terraform started working on it."""
    targeted: bool = False
    """The run has ``-target``: Terraform's generic targeting warnings are left out (``TARGETING_WARNINGS``)."""
    outputs: dict[str, JSON] | None = None
    """The stack's outputs as the run ended (name -> value; a sensitive one is ``SENSITIVE``), from Terraform's
    last ``outputs`` message; None when it sent none."""

    def __post_init__(self) -> None:
        self.started = self.clock()
        self._last_line = self.started
        self._drawn = False

    def feed(self, line: str) -> None:
        """One line of ``terraform ... -json`` output; anything that is not a JSON object is shown as is."""
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            event = None
        if not isinstance(event, dict):
            if line.strip():
                self._print(line.rstrip())
            return
        kind = event.get("type")
        hook = event.get("hook") or {}
        address = str((hook.get("resource") or {}).get("addr", ""))
        if kind == "change_summary" and (event.get("changes") or {}).get("operation") == "plan":
            changes = event["changes"]
            self.total = int(changes.get("add", 0)) + int(changes.get("change", 0)) + int(changes.get("remove", 0))
        elif kind in ("apply_start", "apply_complete") and hook.get("action") == "read":
            pass  # a data source read while planning: not one of the plan's changes
        elif kind == "apply_start":
            self.running[address] = self.clock()
        elif kind == "apply_complete":
            self._finish(address, PAST.get(str(hook.get("action")), str(hook.get("action"))))
        elif kind == "apply_errored":
            self.failed.append(address)
            self._finish(address, "FAILED")
        elif kind == "diagnostic":
            self._diagnostic(event.get("diagnostic") or {})
        elif kind == "outputs":
            self.outputs = {name: SENSITIVE if item.get("sensitive") else item.get("value")
                            for name, item in (event.get("outputs") or {}).items()}
        self.tick()

    def _finish(self, address: str, verb: str) -> None:
        began = self.running.pop(address, None)
        self.done += 1
        took = f" in {clock_text(self.clock() - began)}" if began is not None else ""
        if not self.tty:
            self._print(f"{self._head()}  {verb} {short_address(address)}{took}")

    def note(self, text: str) -> None:
        """A line of the tool's own (an interruption, for example), between the progress lines."""
        self._print(f"==> {text}")

    def _diagnostic(self, diagnostic: dict[str, JSON]) -> None:
        severity = str(diagnostic.get("severity", "error"))
        if self.targeted and severity == "warning" and diagnostic.get("summary") in TARGETING_WARNINGS:
            return
        where = f" ({short_address(str(diagnostic['address']))})" if diagnostic.get("address") else ""
        text = f"{severity.upper()}{where}: {diagnostic.get('summary', '')}"
        if diagnostic.get("detail"):
            text += "\n    " + str(diagnostic["detail"]).replace("\n", "\n    ")
        if severity == "error":
            self.errors.append(text)
        self._print(text)

    def _head(self) -> str:
        """``[done/total] elapsed``."""
        width = len(str(self.total)) if self.total is not None else 3
        total = str(self.total) if self.total is not None else "?"
        return f"[{self.done:>{width}}/{total}] {clock_text(self.clock() - self.started):>6}"

    def waiting(self) -> str:
        """What is still in progress, longest first: ``3 in progress: a (24 s), b (10 s), c (2 s)``."""
        if not self.running:
            return "nothing in progress"
        now = self.clock()
        oldest = sorted(self.running.items(), key=lambda item: item[1])
        shown = [f"{short_address(a)} ({now - t:.0f} s)" for a, t in oldest[:SHOWN_IN_PROGRESS]]
        more = f", +{len(oldest) - SHOWN_IN_PROGRESS} more" if len(oldest) > SHOWN_IN_PROGRESS else ""
        return f"{len(oldest)} in progress: {', '.join(shown)}{more}"

    def status(self) -> str:
        return f"{self._head()}  {self.waiting()}"

    def tick(self) -> None:
        """Redraw (terminal), or say what is waiting when nothing has been printed for a while (logs)."""
        if self.tty:
            self.out.write("\r\x1b[K" + self.status())
            self.out.flush()
            self._drawn = True
        elif self.running and self.clock() - self._last_line >= self.quiet_seconds:
            self._print(f"{self._head()}  waiting: {self.waiting()}")

    def close(self) -> None:
        """End the updating line, if any."""
        if self.tty and self._drawn:
            self.out.write("\r\x1b[K" + self._head() + "\n")
            self.out.flush()
            self._drawn = False

    def _print(self, text: str) -> None:
        if self.tty and self._drawn:
            self.out.write("\r\x1b[K")
            self._drawn = False
        self.out.write(text + "\n")
        self.out.flush()
        self._last_line = self.clock()
