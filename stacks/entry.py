"""Process concerns of this project's entry points (``python -m stacks``, ``portal-ha``): jsii's Node banner,
and ending a command as soon as its work is done, without Python's interpreter teardown.

Measured on this machine (``benchmarks/run.py`` has the figures): once the provider bindings are imported
(``cdktf_cdktf_provider_aws``, about 7 s), a process spends about 3.4 s more after its last statement, and
stopping jsii's Node kernel explicitly takes 0.12 s of it. The rest is Python freeing the bindings' modules
and objects at interpreter shutdown, after all output has been written. ``exit_now`` flushes Python's
standard streams, stops the jsii kernel cleanly when one was started (so no Node process is left behind),
and ends the process with ``os._exit``, keeping the exit code.

Only entry points call it (``portal-ha``, ``python -m stacks``), after every file they write has been
closed; library code and tests never do.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from typing import NoReturn


def quiet_jsii() -> None:
    """Silence jsii's Node end-of-life banner, in this project's own entry points only."""
    if "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION" in os.environ:
        return
    node = shutil.which("node")
    if node is None:
        return
    try:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return
    # jsii compares the variable with the running Node's major version ("20").
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = version.lstrip("v").split(".")[0]


def exit_code(code: object) -> int:
    """What ``sys.exit(code)`` would make the process's status: None is 0, an int itself, anything else 1
    (after printing it to stderr, as Python does)."""
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool):
        return code
    print(code, file=sys.stderr)
    return 1


def stop_jsii_kernel() -> None:
    """Stop jsii's Node process if jsii is loaded (importing cdktf or constructs starts it); a no-op otherwise."""
    jsii = sys.modules.get("jsii")
    if jsii is not None:
        jsii.kernel.provider._process.stop()


def exit_now(code: object = 0) -> NoReturn:
    """Flush, stop the jsii kernel, and end the process with ``code`` without interpreter teardown."""
    status = exit_code(code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed or broken stream: nothing more can be written to it anyway
    logging.shutdown()
    stop_jsii_kernel()
    os._exit(status)
