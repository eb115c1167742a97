"""``python -m stacks``: the cdktf app. Synthesizes every configured architecture into ``cdktf.out``.

Every problem of the configuration file (keys, types, and the values of every architecture) is printed at
once, sorted by the path of the key in ``cdktf.json``, and the exit status is 2, before any construct is made
and before Terraform runs. What the profile changes is said first, one line per architecture.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main() -> int:
    from constructs_lib.errors import ConfigError

    from . import synth_cache
    from .profiles import notices
    from .settings import read_settings

    try:
        settings, problems = read_settings()
        for line in notices(settings):
            print(f"portal-ha: {line}", file=sys.stderr)
        outdir = Path(os.environ.get("CDKTF_OUTDIR") or "cdktf.out")  # where cdktf's App writes

        def produce() -> dict[str, bytes]:
            from .app import synth_app

            synth_app(settings, problems=problems)
            return synth_cache.collect(outdir, ["manifest.json", *(f"stacks/{name}/cdk.tf.json"
                                                                   for name in settings.architectures)])

        files, hit = synth_cache.reuse(f"app|{outdir.resolve()}", produce, problems=bool(problems))
        if hit:
            synth_cache.restore(outdir, files)
            print(f"portal-ha: reused the synthesis of {', '.join(settings.architectures)}: nothing it depends on "
                  f"changed (key {hit[:12]}; {synth_cache.CACHE_ENV}=off synthesizes again)", file=sys.stderr)
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from .entry import exit_now, quiet_jsii

    quiet_jsii()
    exit_now(main())
