"""The synth cache: its key changes with every input a synth depends on, a hit is byte-identical to the synth
it stands for, and a corrupted or partial entry is never used."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stacks import synth_cache
from stacks.loader import Invocation
from tests.conftest import REPO


def _here() -> Invocation:
    """What this process's environment says (the tests below change it with monkeypatch)."""
    return Invocation.from_environment(os.environ)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "cdktf.json").write_text((REPO / "cdktf.json").read_text())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PORTAL_HA_CONFIG", str(tmp_path / "cdktf.json"))
    for name in ("PORTAL_HA_PROFILE", "PORTAL_HA_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def _edit(path: Path, **changes: object) -> None:
    document = json.loads(path.read_text())
    document["context"].update(changes)
    path.write_text(json.dumps(document, indent=2))


def test_the_key_changes_with_every_input_and_only_then(project, monkeypatch, tmp_path):
    source = tmp_path / "module.py"
    source.write_text("A = 1\n")
    monkeypatch.setattr(synth_cache, "_source_files", lambda: [source])
    monkeypatch.setattr(synth_cache, "__file__", str(tmp_path / "stacks" / "synth_cache.py"))
    _edit(project / "cdktf.json")  # the file as _edit writes it (the key reads bytes: formatting counts too)
    base = synth_cache.key("synth|out|multi-dc", _here())
    assert synth_cache.key("synth|out|multi-dc", _here()) == base  # nothing changed: the same key

    def changed() -> bool:
        return synth_cache.key("synth|out|multi-dc", _here()) != base

    assert synth_cache.key("synth|out|single-dc", _here()) != base
    _edit(project / "cdktf.json", name_prefix="other")
    assert changed()
    _edit(project / "cdktf.json", name_prefix="portal")
    assert not changed()
    for name, value in (("PORTAL_HA_PROFILE", "lab"), ("PORTAL_HA_STATE_DIR", "/tmp/state"),
                        ("CDKTF_OUTDIR", "elsewhere")):
        monkeypatch.setenv(name, value)
        assert changed(), name
        monkeypatch.delenv(name)
        assert not changed(), name
    source.write_text("A = 2\n")
    assert changed()
    source.write_text("A = 1\n")
    real_version = synth_cache.metadata.version
    monkeypatch.setattr(synth_cache.metadata, "version",
                        lambda name: "9.9.9" if name == "cdktf-cdktf-provider-aws" else real_version(name))
    assert changed()


def test_the_key_reads_every_source_file_of_both_packages():
    found = {p.relative_to(REPO).as_posix() for p in synth_cache._source_files()}
    for package in ("constructs_lib", "stacks"):
        expected = {p.relative_to(REPO).as_posix() for p in (REPO / package).rglob("*")
                    if p.is_file() and "__pycache__" not in p.parts}
        assert expected and expected <= found
    assert "constructs_lib/templates/user_data.sh.tpl" in found  # not only Python: what the synth reads


def test_a_corrupted_or_partial_entry_is_a_miss_and_is_removed(tmp_path):
    cache = tmp_path / "cache"
    synth_cache.store("k1", {"stacks/a/cdk.tf.json": b"{}", "manifest.json": b"[]"}, cache)
    assert synth_cache.load("k1", cache) == {"stacks/a/cdk.tf.json": b"{}", "manifest.json": b"[]"}
    (cache / "k1" / "manifest.json").write_bytes(b"[1]")  # corrupted
    assert synth_cache.load("k1", cache) is None and not (cache / "k1").exists()
    synth_cache.store("k2", {"manifest.json": b"[]"}, cache)
    (cache / "k2" / "manifest.json").unlink()  # partial
    assert synth_cache.load("k2", cache) is None and not (cache / "k2").exists()
    synth_cache.store("k3", {"manifest.json": b"[]"}, cache)
    (cache / "k3" / synth_cache.INDEX).write_text("{not json")  # a broken index
    assert synth_cache.load("k3", cache) is None
    assert synth_cache.load("never-stored", cache) is None


def test_the_cache_keeps_only_the_most_recent_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(synth_cache, "KEEP", 2)
    cache = tmp_path / "cache"
    for i in range(4):
        synth_cache.store(f"k{i}", {"manifest.json": b"[]"}, cache)
        os.utime(cache / f"k{i}", (1000 + i, 1000 + i))
    assert sorted(p.name for p in cache.iterdir()) == ["k2", "k3"]


def test_reuse_can_be_turned_off_and_anything_else_is_refused(monkeypatch):
    from constructs_lib.errors import ConfigError

    monkeypatch.setenv(synth_cache.CACHE_ENV, "on")
    assert _here().synth_cache and not _here().fresh().synth_cache
    for value in ("off", "0", "false", "no", "OFF"):
        monkeypatch.setenv(synth_cache.CACHE_ENV, value)
        assert not _here().synth_cache
    monkeypatch.setenv(synth_cache.CACHE_ENV, "of")
    with pytest.raises(ConfigError, match=r"PORTAL_HA_SYNTH_CACHE 'of' is neither on nor off: use on \(reuse"):
        _here()


def test_reuse_produces_once_then_hits(project, tmp_path, monkeypatch):
    monkeypatch.setenv(synth_cache.CACHE_ENV, "on")
    made: list[int] = []

    def produce() -> dict[str, bytes]:
        made.append(1)
        return {"manifest.json": b"[]"}

    assert synth_cache.reuse("x", produce, _here()) == ({"manifest.json": b"[]"}, None)
    files, hit = synth_cache.reuse("x", produce, _here())
    assert files == {"manifest.json": b"[]"} and hit == synth_cache.key("x", _here()) and len(made) == 1
    synth_cache.reuse("x", produce, _here(), problems=True)  # a configuration with errors: always a real synth
    assert len(made) == 2
    synth_cache.reuse("x", produce, _here().fresh())  # --fresh: always a real synth too
    assert len(made) == 3


def _portal_ha(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, synth_cache.CACHE_ENV: "on", "PORTAL_HA_CONFIG": str(project / "cdktf.json")}
    proc = subprocess.run([sys.executable, "-m", "portal_ha", *args], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_a_hit_is_byte_identical_and_a_change_synthesizes_again(project):
    stack = project / "cdktf.out" / "stacks" / "multi-dc" / "cdk.tf.json"
    first = _portal_ha(project, "synth", "multi-dc")
    assert "synthesized multi-dc" in first.stderr and "reused" not in first.stderr
    fresh = stack.read_bytes()
    stack.unlink()
    second = _portal_ha(project, "synth", "multi-dc")
    assert "reused the synthesis of multi-dc: nothing it depends on changed" in second.stderr
    assert stack.read_bytes() == fresh
    third = _portal_ha(project, "synth", "multi-dc", "--fresh")
    assert "synthesized multi-dc" in third.stderr and stack.read_bytes() == fresh
    _edit(project / "cdktf.json", name_prefix="other")
    fourth = _portal_ha(project, "synth", "multi-dc")
    assert "synthesized multi-dc" in fourth.stderr and stack.read_bytes() != fresh
