"""``portal-ha``: the operator tooling for the API Portal HA architectures.

- ``cli``: the command line (synth, plan, up, verify, down, report, diagram, emulator, env, toolchain);
- ``terraform``, ``progress``, ``toolchain``: running Terraform (provider mirror, readable progress);
- ``emulator``: the local AWS emulator (moto behind a server that executes each request once, plus extensions);
- ``verify``, ``teardown``, ``aws``: checks of a live deployment through boto3;
- ``reports``: the failover budget and the diagram, computed from the synthesized stack.

It builds on the cdktf app (``stacks``) and the construct library (``constructs_lib``); neither imports it.
"""
