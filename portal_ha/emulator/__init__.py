"""The local AWS emulator: moto behind a server that executes each SDK invocation once (``server``), with
extensions of moto that follow the AWS API reference (``extensions``, one module per service), started and
stopped by ``lifecycle``, which ``requirements`` tells whether this Python can run it (the ``local`` extra, at
the tested moto).
The construct library and the cdktf app never import it."""

from __future__ import annotations

from .lifecycle import CREDENTIALS, EMULATOR_DIR, HOST, Emulator, Launch, free_port, launch, start, status, stop
from .requirements import INSTALL, EmulatorUnavailable

__all__ = ["CREDENTIALS", "EMULATOR_DIR", "HOST", "INSTALL", "Emulator", "EmulatorUnavailable", "Launch", "free_port",
           "launch", "start", "status", "stop"]
