"""``python -m stacks``: the cdktf app. Synthesizes every configured architecture into ``cdktf.out``.

Every problem of the configuration file (keys, types, and the values of every architecture) is printed at
once, sorted by the path of the key in ``cdktf.json``, and the exit status is 2, before any construct is made
and before Terraform runs. What the profile changes is said first, one line per architecture.

Notices go to stderr, except under the cdktf CLI: it prints an app's stdout as it is but labels every line of
its stderr ``[ERROR]`` (cdktf-cli 0.21, ``@cdktf/commons`` ``shell``), so there they go to stdout, and stderr
keeps the errors.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

UNDER_CDKTF_CLI = "CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS"
"""Set by the cdktf CLI for the app it runs (synth, deploy, destroy...), never by a user."""


def say(line: str) -> None:
    """A notice: information, not an error, wherever it is read."""
    print(f"portal-ha: {line}", file=sys.stdout if os.environ.get(UNDER_CDKTF_CLI) else sys.stderr, flush=True)


def main() -> int:
    from constructs_lib.errors import ConfigError

    from . import synth_cache
    from .profiles import notices
    from .settings import read_settings

    try:
        settings, problems = read_settings()
        for line in notices(settings):
            say(line)
        outdir = Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")  # where cdktf's App writes

        def produce() -> dict[str, bytes]:
            from .app import synth_app

            synth_app(settings, problems=problems)
            return synth_cache.collect(outdir, ["manifest.json", *(f"stacks/{name}/cdk.tf.json"
                                                                   for name in settings.architectures)])

        files, hit = synth_cache.reuse(f"app|{outdir.resolve()}", produce, problems=bool(problems))
        if hit:
            synth_cache.restore(outdir, files)
            say(f"reused the synthesis of {', '.join(settings.architectures)}: nothing it depends on changed (key "
                f"{hit[:12]}; {synth_cache.CACHE_ENV}=off synthesizes again)")
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from .entry import exit_now, quiet_jsii

    quiet_jsii()
    exit_now(main())
