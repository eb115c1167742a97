"""The local AWS emulator: moto behind a server that executes each SDK invocation once (``server``), with
extensions of moto that follow the AWS API reference (``extensions``, one module per service), started and
stopped by ``lifecycle``.
The construct library and the cdktf app never import it."""

from __future__ import annotations

from .lifecycle import CREDENTIALS, EMULATOR_DIR, HOST, Emulator, Launch, free_port, launch, start, status, stop

__all__ = ["CREDENTIALS", "EMULATOR_DIR", "HOST", "Emulator", "Launch", "free_port", "launch", "start", "status",
           "stop"]
