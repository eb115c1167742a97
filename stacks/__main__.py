"""``python -m stacks``: the cdktf app. Synthesizes every configured architecture into ``cdktf.out``.

Every problem of the configuration file (keys, types, and the values of every architecture) is printed at
once, sorted by the path of the key in ``cdktf.json``, and the exit status is 2, before any construct is made
and before Terraform runs. What the profile changes is said first, one line per architecture.
"""

from __future__ import annotations

import sys


def main() -> int:
    from constructs_lib.errors import ConfigError

    from .profiles import notices
    from .settings import read_settings

    try:
        settings, problems = read_settings()
        for line in notices(settings):
            print(f"portal-ha: {line}", file=sys.stderr)
        from .app import synth_app

        synth_app(settings, problems=problems)
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from .entry import exit_now, quiet_jsii

    quiet_jsii()
    exit_now(main())
