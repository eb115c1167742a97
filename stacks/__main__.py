"""``python -m stacks``: the cdktf app. Synthesizes every configured architecture into ``cdktf.out``.

Every problem of the configuration file (keys, types, and the values of every architecture) is printed at
once, sorted by the path of the key in ``cdktf.json``, and the exit status is 2, before any construct is made,
before the provider bindings are imported (the validation pass loads none) and before Terraform runs. What the
profile changes is said first, one line per architecture.

Notices go to stderr, except under the cdktf CLI: it prints an app's stdout as it is but labels every line of
its stderr ``[ERROR]`` (cdktf-cli 0.21, ``@cdktf/commons`` ``shell``), so there they go to stdout, and stderr
keeps the errors.
"""

from __future__ import annotations

import os
import sys


def say(line: str, *, under_cdktf_cli: bool) -> None:
    """A notice: information, not an error, wherever it is read."""
    print(f"portal-ha: {line}", file=sys.stdout if under_cdktf_cli else sys.stderr, flush=True)


def main() -> int:
    from constructs_lib.errors import ConfigError

    from . import synth_cache
    from .assembly import plan_all
    from .loader import Invocation, load
    from .profiles import notices

    try:
        invocation = Invocation.from_environment(os.environ)
        loaded = load(invocation)
        settings, problems = loaded.settings, loaded.problems
        for line in notices(settings):
            say(line, under_cdktf_cli=invocation.under_cdktf_cli)
        plans = plan_all(settings, problems)  # every problem of the file, before any provider binding loads

        def produce() -> dict[str, bytes]:
            from .app import synth_app

            synth_app(settings, outdir=str(invocation.outdir), plans=plans)
            return synth_cache.collect(invocation.outdir, ["manifest.json", *(f"stacks/{name}/cdk.tf.json"
                                                                              for name in settings.architectures)])

        files, hit = synth_cache.reuse(f"app|{invocation.outdir.resolve()}", produce, invocation)
        if hit:
            synth_cache.restore(invocation.outdir, files)
            say(f"reused the synthesis of {', '.join(settings.architectures)}: nothing it depends on changed (key "
                f"{hit[:12]}; {synth_cache.CACHE_ENV}=off synthesizes again)",
                under_cdktf_cli=invocation.under_cdktf_cli)
    except ConfigError as exc:
        print(f"portal-ha: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    from .entry import exit_now, quiet_jsii

    quiet_jsii()
    exit_now(main())
