"""``portal-ha``: operator commands for the API Portal HA architectures.

Every command works against AWS (your usual AWS credentials and region) or, with ``--local``, against the
local emulator on 127.0.0.1 that ``portal-ha`` starts and keeps running between commands.
"""

from __future__ import annotations

import click

from stacks.entry import exit_now, quiet_jsii

from . import deploy, operations, reports, tools


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Deploy, check and tear down Axway API Portal in high availability on AWS.

    Architectures: single-dc, multi-dc (shared file system) and multi-dc-local (local storage).
    """
    quiet_jsii()


for command in (deploy.synth_command, deploy.plan, deploy.up, deploy.verify, deploy.down, operations.failover,
                operations.evacuate, operations.restore, operations.drill, reports.diagram, reports.report,
                tools.env_command, tools.toolchain_command, tools.emulator):
    main.add_command(command)


def entry() -> None:
    """The ``portal-ha`` console script: ``main``, then an exit that skips Python's teardown (``stacks.entry``)."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    exit_now(code)


if __name__ == "__main__":
    entry()
