"""``portal-ha diagram``: the picture is built from the synthesized stack, and the README's images are current."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from constructs_lib.synthesized import SynthesizedStack
from portal_ha.cli import main
from portal_ha.reports import diagram
from tests.conftest import REPO

ARCHS = ("single-dc", "multi-dc", "multi-dc-local")
DOCS = REPO / "docs" / "diagrams"


@pytest.fixture(scope="module")
def models(synthesized) -> dict[str, diagram.Diagram]:
    return {arch: diagram.build(SynthesizedStack(arch, synthesized[arch])) for arch in ARCHS}


def _kinds(model: diagram.Diagram) -> dict[str, int]:
    counts: dict[str, int] = {}
    for node in model.all_nodes():
        counts[node.kind] = counts.get(node.kind, 0) + 1
    return counts


def _groups(model: diagram.Diagram, kind: str) -> list[diagram.Group]:
    found: list[diagram.Group] = []

    def walk(group: diagram.Group) -> None:
        if group.kind == kind:
            found.append(group)
        for child in group.groups:
            walk(child)

    for group in model.groups:
        walk(group)
    return found


@pytest.mark.parametrize("arch", ARCHS)
def test_every_drawn_thing_is_a_resource_of_the_stack(arch, synthesized, models):
    resources = synthesized[arch]["resource"]
    kinds = _kinds(models[arch])
    assert kinds["nlb"] == len(resources["aws_lb"])
    # a node per fixed instance, or one per Auto Scaling group
    assert kinds["instance"] == len(resources.get("aws_instance", {})) + len(resources.get("aws_autoscaling_group", {}))
    assert kinds["aurora-cluster"] == len(resources["aws_rds_cluster"])
    assert kinds["aurora-node"] == len(resources["aws_rds_cluster_instance"])
    # every file system: the shared ones, and each replica (a file system of the stack too) as its replica node
    assert kinds.get("efs", 0) + kinds.get("efs-replica", 0) == len(resources.get("aws_efs_file_system", {}))
    assert kinds.get("peering", 0) == len(resources.get("aws_vpc_peering_connection", {}))
    assert len(_groups(models[arch], "vpc")) == len(resources["aws_vpc"])
    assert len(_groups(models[arch], "tier")) == 3 * len(resources["aws_vpc"])


def test_firewalls_are_the_security_groups_with_their_sources(models):
    labels = [g.label for g in _groups(models["multi-dc"], "firewall")]
    assert "firewall portal-dc1-nlb: 443 from anywhere" in labels
    assert "firewall portal-dc1-portal: 443 from portal-dc1-nlb" in labels
    assert "firewall portal-dc1-efs: 2049 from portal-dc1-portal + 3 CIDR ranges" in labels
    assert "firewall portal-dc2-db: 3306 from portal-dc2-portal + 2 CIDR ranges" in labels


def test_multi_dc_traffic_and_replication_links(models):
    links = {(link.source, link.target, link.label) for link in models["multi-dc"].links}
    assert ("users", "route53", "DNS") in links
    assert ("route53", "portal-dc2-nlb", "dc2 + health check") in links
    assert ("portal-dc2-nlb", "portal-dc2-portal", "TCP 443") in links  # the Auto Scaling group
    # dc2 mounts the primary DC's EFS over the peering; MySQL stays in each DC (write forwarding).
    assert ("portal-dc2-portal", "peering-dc1-dc2", "NFS 2049 (TLS)") in links
    assert ("peering-dc1-dc2", "portal-dc1-efs", "NFS 2049 (TLS)") in links
    assert ("portal-dc2-portal", "portal-dc2-db", "MySQL 3306") in links
    assert not any(t == "portal-dc1-db" and s.startswith("portal-dc2-portal") for s, t, _ in links)
    assert ("portal-dc1-db", "portal-dc2-db", "Aurora global replication") in links
    assert ("portal-dc2-db", "portal-dc1-db", "write forwarding") in links
    assert ("portal-dc1-efs", "portal-dc1-efs-replica", "EFS replication") in links


def test_local_storage_draws_no_shared_file_system(models):
    model = models["multi-dc-local"]
    assert "efs" not in _kinds(model)
    assert all("local volume" in n.label for n in model.all_nodes() if n.kind == "instance")
    assert not any("NFS" in link.label for link in model.links)
    # The peering still matters: each DB firewall admits the other DC's DMZ ranges on 3306.
    links = {(link.source, link.target, link.label) for link in model.links}
    assert ("peering-dc1-dc2", "portal-dc1-db", "3306 admitted from dc2 DMZ") in links


def test_single_dc_users_reach_the_nlb_directly(models):
    links = {(link.source, link.target) for link in models["single-dc"].links}
    assert ("users", "portal-dc1-nlb") in links
    assert "peering" not in _kinds(models["single-dc"])


@pytest.mark.parametrize("arch", ARCHS)
def test_committed_outline_and_image_are_current(arch, models):
    expected = diagram.outline(models[arch])
    assert (DOCS / f"{arch}.txt").read_text() == expected, f"docs/diagrams/{arch}.txt is stale: run scripts/docs"
    assert diagram.read_stamp(DOCS / f"{arch}.png") == diagram.digest(models[arch]), (
        f"docs/diagrams/{arch}.png was not drawn from the current stack: run scripts/docs")


def test_readme_shows_the_three_diagrams():
    readme = (REPO / "README.md").read_text()
    for arch in ARCHS:
        assert f"(docs/diagrams/{arch}.png)" in readme


def _tiny_png(path: Path) -> None:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00"))
                     + chunk(b"IEND", b""))


def test_png_stamp_round_trip(tmp_path):
    image = tmp_path / "x.png"
    _tiny_png(image)
    assert diagram.read_stamp(image) is None
    diagram.stamp_png(image, "abc123")
    assert diagram.read_stamp(image) == "abc123"
    assert image.read_bytes().endswith(b"IEND\xaeB`\x82"), "IEND must stay the last chunk"


def test_outline_command_prints_the_model(monkeypatch, models):
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(REPO / "cdktf.json"))
    monkeypatch.delenv("PORTAL_HA_PROFILE", raising=False)
    result = CliRunner().invoke(main, ["diagram", "multi-dc", "--outline"])
    assert result.exit_code == 0, result.output
    assert result.output == diagram.outline(models["multi-dc"])


def test_unknown_image_format_is_refused(models, tmp_path):
    with pytest.raises(ValueError, match=r"must end in \.png or \.svg"):
        diagram.render(models["single-dc"], tmp_path / "x.gif")


@pytest.mark.graphviz
@pytest.mark.parametrize("arch", ARCHS)
def test_rendered_diagram_has_the_model_structure(arch, models, tmp_path):
    """Draws with Graphviz (as CI does) and compares the laid-out graph with the model."""
    model = models[arch]
    image = tmp_path / f"{arch}.png"
    source = diagram.render(model, image)
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert diagram.read_stamp(image) == diagram.digest(model)
    drawn_nodes = set(re.findall(r'^\s*"?([\w.-]+)"? \[label=', source, re.M))
    assert drawn_nodes == {n.id for n in model.all_nodes()}
    drawn_links = set(re.findall(r'^\s*"?([\w.-]+)"? -> "?([\w.-]+)"?', source, re.M))
    assert drawn_links == {(link.source, link.target) for link in model.links}
    drawn_groups = set(re.findall(r"subgraph \"?cluster_([^\"{]+?)\"? \{", source))
    assert len(drawn_groups) == sum(len(_groups(model, k)) for k in ("region", "vpc", "tier", "firewall"))
    svg = diagram.render(model, tmp_path / f"{arch}.svg")
    assert svg == source
    assert "<svg" in (tmp_path / f"{arch}.svg").read_text()
