"""``python -m stacks``: the cdktf app. Synthesizes every configured architecture into ``cdktf.out``.

A configuration problem prints a readable list of problems and exits with status 2, before any jsii
object is created and before Terraform runs.
"""

from __future__ import annotations

import sys


def main() -> int:
    from constructs_lib.errors import ConfigError

    from .settings import load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    from .app import synth_app

    try:
        synth_app(settings)
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from .entry import exit_now, quiet_jsii

    quiet_jsii()
    exit_now(main())
