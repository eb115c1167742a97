"""A timeline of steps: each one checks whether AWS is already where it should be (then it is skipped), acts,
then checks again; what it checked is printed with how long it took. A step with nothing to check first says
why (``Always``: it is idempotent, or it is itself a check) and always acts. The first failing step stops the run
with an ``OperationError`` that says what state it left."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

DONE = "done"
SKIPPED = "already done"
FAILED = "FAILED"


class OperationError(RuntimeError):
    """A step failed; the message says which, why, and what state the deployment is in now."""


@dataclass(frozen=True)
class Always:
    """The ``done`` of a step that runs every time, and why that is safe (printed when it starts)."""

    why: str


@dataclass
class Entry:
    step: str
    status: str
    seconds: float
    checked: str


@dataclass
class Timeline:
    """Runs steps in order and keeps what happened."""

    title: str
    echo: Callable[[str], None] = print
    prefix: str = ""
    """Put before each step's name (a drill runs a failover's steps as "failover: database", ...)."""
    clock: Callable[[], float] = time.monotonic
    entries: list[Entry] = field(default_factory=list)

    def run(self, step: str, *, done: Callable[[], str | None] | Always, act: Callable[[], str], state: str) -> None:
        """``done()`` returns what it found when the step is already done (else None); ``act()`` does the step
        and returns what it checked afterwards. ``state`` describes where a failure of this step leaves things."""
        started = self.clock()
        step = self.prefix + step
        self.echo(f"--> {step}" + (f" (runs every time: {done.why})" if isinstance(done, Always) else ""))
        try:
            found = None if isinstance(done, Always) else done()
            if found is not None:
                self._add(Entry(step, SKIPPED, self.clock() - started, found))
                return
            checked = act()
        except Exception as exc:  # every failure is reported the same way: step, cause, state left
            self._add(Entry(step, FAILED, self.clock() - started, str(exc).splitlines()[0] if str(exc) else
                            type(exc).__name__))
            raise OperationError(f"{self.title}: step '{step}' failed: {exc}\nState left: {state}\n"
                                 "Run the same command again to resume: finished steps are checked, not repeated."
                                 ) from exc
        self._add(Entry(step, DONE, self.clock() - started, checked))

    def _add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.echo(f"    {entry.status} in {entry.seconds:.1f} s: {entry.checked}")

    def seconds(self, *steps: str) -> float:
        """Total time of the named steps (all when none is named)."""
        return sum(e.seconds for e in self.entries if not steps or e.step in steps)

    def render(self) -> str:
        width = max((len(e.step) for e in self.entries), default=4)
        lines = [f"{self.title}", f"  {'step':<{width}}  {'status':<12}  {'seconds':>7}  checked"]
        elapsed = 0.0
        for e in self.entries:
            elapsed += e.seconds
            lines.append(f"  {e.step:<{width}}  {e.status:<12}  {e.seconds:7.1f}  {e.checked}")
        lines.append(f"  {'total':<{width}}  {'':<12}  {elapsed:7.1f}")
        return "\n".join(lines)
