"""The two kinds of patch fail loudly when moto no longer fits them: a replacement whose target moto lacks, an
addition of something moto has, a wrapped moto function whose parameters were renamed. Each message names the
extension and the attribute; a set of patches goes in whole or not at all; undo restores exactly. And the
server does not start on extensions that do not fit (``portal-ha emulator start`` fails, nothing recorded)."""

from __future__ import annotations

import os
import re

import pytest
from moto.autoscaling.models import AutoScalingBackend
from moto.autoscaling.responses import AutoScalingResponse
from moto.efs import urls

from portal_ha import emulator
from portal_ha.emulator import extensions
from portal_ha.emulator.extensions import patch
from portal_ha.emulator.extensions.patch import Addition, Patch, PatchError
from portal_ha.emulator.requirements import INSTALL, TESTED_MOTO

ASG = "portal_ha.emulator.extensions.autoscaling"


class Base:
    def inherited(self) -> str:
        return "base"


class Target(Base):
    def own(self) -> str:
        return "own"


def _state(*targets: object) -> list[dict[str, object]]:
    return [dict(t) if isinstance(t, dict) else dict(vars(t)) for t in targets]


def test_a_replacement_of_what_moto_lacks_raises_naming_the_extension_and_the_attribute():
    missing = Patch(AutoScalingBackend, "foo", lambda self: None, extension=ASG)
    with pytest.raises(PatchError) as raised, patch.applied([missing]):
        pass
    assert str(raised.value).startswith(
        f"the emulator extension {ASG} replaces moto.autoscaling.models.AutoScalingBackend.foo, which moto "
        f"{TESTED_MOTO} does not define: moto renamed or removed it")
    assert INSTALL in str(raised.value)
    assert "foo" not in vars(AutoScalingBackend), "a failed replacement must not add the attribute"


def test_a_replacement_of_what_only_a_base_class_defines_raises():
    with pytest.raises(PatchError, match=r"replaces tests\..*Target\.inherited, which .* does not define \(only a "
                                         r"base class has it\)"):
        Patch(Target, "inherited", lambda self: "x").apply()
    assert "inherited" not in vars(Target)


def test_an_addition_of_what_moto_has_raises_naming_the_extension_and_the_attribute():
    grown = Addition(AutoScalingResponse, "set_instance_health", lambda self: None, extension=ASG)
    with pytest.raises(PatchError) as raised:
        patch.apply([grown])
    assert str(raised.value).startswith(
        f"the emulator extension {ASG} adds moto.autoscaling.responses.AutoScalingResponse.set_instance_health, "
        f"which moto {TESTED_MOTO} already has: moto may implement it now")
    assert patch._applied is None
    with pytest.raises(PatchError, match=r"adds tests\..*Target\.inherited, which .* already has"):
        Addition(Target, "inherited", None).apply()  # from a base class counts too


def test_an_addition_of_a_mapping_entry_moto_has_names_the_mapping():
    rule = next(r for r in urls.url_paths if "file-systems" in r)
    with pytest.raises(PatchError, match=re.escape(f"an emulator patch adds moto.efs.urls.url_paths[{rule!r}], which")):
        Addition(urls.url_paths, rule, None, where="moto.efs.urls.url_paths").apply()


def test_a_set_of_patches_goes_in_whole_or_not_at_all():
    table: dict[str, str] = {"kept": "moto"}
    before = _state(Target, table)
    patches = [Patch(Target, "own", lambda self: "patched"), Addition(Target, "added", 1),
               Addition(table, "new", "entry"), Patch(Target, "gone", None)]
    with pytest.raises(PatchError, match="Target.gone"), patch.applied(patches):
        pass
    assert _state(Target, table) == before


def test_undo_restores_exactly_what_was_there():
    table = {"kept": "moto", "replaced": "moto"}
    before = _state(Target, table)
    own = vars(Target)["own"]
    with patch.applied([Patch(Target, "own", lambda self: "patched"), Addition(Target, "added", 1),
                        Patch(table, "replaced", "ours"), Addition(table, "new", "entry")]):
        assert Target().own() == "patched" and vars(Target)["added"] == 1
        assert table == {"kept": "moto", "replaced": "ours", "new": "entry"}
    assert _state(Target, table) == before
    assert vars(Target)["own"] is own


def test_every_extension_fits_the_tested_moto_and_restores_every_target_exactly():
    made = extensions.all_patches()
    assert {p.extension for p in made} == {f"{extensions.__name__}.{name}" for name in extensions.SERVICES}
    assert all(p.misfit(p._read()) is None for p in made), [p.address() for p in made if p.misfit(p._read())]
    targets = list({id(p.target): p.target for p in made}.values())
    before = _state(*targets)
    with extensions.applied():
        assert _state(*targets) != before
    assert _state(*targets) == before


def test_a_renamed_moto_method_stops_the_extensions_naming_it(monkeypatch):
    monkeypatch.delattr(AutoScalingBackend, "notify_terminate_instances")
    describe = AutoScalingBackend.describe_auto_scaling_groups
    with pytest.raises(PatchError, match=rf"^the emulator extension {ASG} replaces moto\.autoscaling\.models\."
                                         r"AutoScalingBackend\.notify_terminate_instances, which"):
        with extensions.applied():
            pass
    assert AutoScalingBackend.describe_auto_scaling_groups is describe, "the patches applied before must be undone"


def test_an_operation_moto_grew_stops_the_extensions_naming_it(monkeypatch):
    monkeypatch.setattr(AutoScalingResponse, "start_instance_refresh", lambda self: None, raising=False)
    with pytest.raises(PatchError, match=r"^the emulator extension portal_ha\.emulator\.extensions\."
                                         r"autoscaling_refresh adds moto\.autoscaling\.responses\."
                                         r"AutoScalingResponse\.start_instance_refresh, which moto"):
        with extensions.applied():
            pass


def test_a_renamed_parameter_of_a_wrapped_moto_function_stops_the_extensions(monkeypatch):
    def create_auto_scaling_group(self, name, health_check_grace_period):  # moto renamed health_check_period
        raise NotImplementedError

    monkeypatch.setattr(AutoScalingBackend, "create_auto_scaling_group", create_auto_scaling_group)
    with pytest.raises(PatchError, match=rf"^the emulator extension {ASG}: .*create_auto_scaling_group of moto "
                                         rf"{TESTED_MOTO} takes no parameter health_check_period: moto renamed it"):
        with extensions.applied():
            pass


def test_the_server_does_not_start_on_extensions_that_do_not_fit(tmp_path, monkeypatch):
    """The real start, with moto changed in the server process only (a sitecustomize on its path)."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text("from moto.autoscaling.models import AutoScalingBackend\n"
                                           "del AutoScalingBackend.notify_terminate_instances\n")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(hook), *filter(None, [os.environ.get("PYTHONPATH")])]))
    state = tmp_path / "emulator"
    try:
        with pytest.raises(RuntimeError) as raised:
            emulator.start(state)
    finally:
        emulator.stop(state)
    assert str(raised.value).startswith(
        f"the emulator's extensions of moto failed to load: the emulator extension {ASG} replaces "
        "moto.autoscaling.models.AutoScalingBackend.notify_terminate_instances, which moto")
    assert not (state / "state.json").exists(), "a server whose extensions failed must not be recorded"
