"""The README's "Use the constructs in your own stack" example runs as printed."""

from __future__ import annotations

import json

from tests.conftest import REPO


def test_readme_library_example_synthesizes(tmp_path):
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## Use the constructs in your own stack"):]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    assert code.count("App()") == 1
    # The jsii runtime keeps the working directory it started in: name the output folder explicitly.
    code = code.replace("App()", f"App(outdir={str(tmp_path / 'cdktf.out')!r})")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})  # noqa: S102 - our own README
    doc = json.loads((tmp_path / "cdktf.out" / "stacks" / "portal" / "cdk.tf.json").read_text())
    assert "aws_vpc" not in doc["resource"] and "aws_subnet" not in doc["resource"]
    assert next(iter(doc["resource"]["aws_autoscaling_group"].values()))["min_size"] == 2
    assert len(doc["resource"]["aws_rds_cluster_instance"]) == 3
