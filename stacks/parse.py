"""Reads a ``cdktf.json`` context into ``Settings``, leniently: every key and type problem of the whole file is
collected, and what can still be read is read, so that the value checks (``assembly``) run on everything else
in the same pass. A key of the wrong type is reported once, as a type problem, and left out of the value
checks; an unknown key is reported and ignored.

Every message follows one grammar: the JSON path as written in ``cdktf.json`` (``multi-dc.datacenters[1].cidr``,
``name_prefix``), the bad value as JSON, then the fix.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from constructs_lib.errors import NO_VALUE, Problem, Problems, Ref

from .architectures import ARCHITECTURES, NAMES
from .locate import Origin, locate
from .schema import (
    ARCHITECTURE_KEYS,
    BACKEND_KEYS,
    DATACENTER_KEYS,
    NESTED,
    PROFILES,
    REQUIRED,
    REQUIRED_DATACENTER_KEYS,
    SECTIONS,
    TARGET_KEYS,
    TOP_LEVEL_KEYS,
    Schema,
)
from .settings import ArchitectureSettings, BackendSettings, DatacenterSettings, Settings, TargetSettings

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "a list", dict: "an object"}


def spell(value: Any) -> str:
    """A value as the user wrote it in JSON."""
    return json.dumps(list(value) if isinstance(value, tuple) else value)


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    """EC2 regions of every AWS partition, from botocore's bundled endpoint data (no network call)."""
    import botocore.session

    session = botocore.session.get_session()
    regions: set[str] = set()
    for partition in session.get_available_partitions():
        regions.update(session.get_available_regions("ec2", partition_name=partition))
    return frozenset(regions)


def _at(path: str, value: object = NO_VALUE, fix: str = "", refs: tuple[Ref, ...] = ()) -> Problem:
    """A problem already named at its ``cdktf.json`` path, its value spelled as JSON."""
    return Problem(path, value, fix, refs, spelling="json")


def _child(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def read_object(raw: Any, schema: Schema, path: str, problems: Problems) -> dict[str, Any]:
    """The keys of ``raw`` that ``schema`` knows and whose type is right; every other key is a problem.

    Keys that were not set are absent from the result (callers fill their defaults)."""
    if not isinstance(raw, dict):
        problems.add(_at(path or "context", fix=f"must be an object, got {spell(raw)}: see the README's "
                         "Configuration"))
        return {}
    found: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in schema:
            problems.add(_at(_child(path, key), fix=f"is not a known key: use one of {', '.join(sorted(schema))} "
                             "(see README, Configuration)"))
            continue
        types = schema[key][0]
        # bool is a subclass of int: `true` is not an integer here.
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            problems.add(_at(_child(path, key), fix=f"must be {wanted}, got {spell(value)}: write {wanted} (its "
                             "value is checked once it has that type)"))
            continue
        found[key] = value
    return found


def _defaults(schema: Schema, read: Mapping[str, Any]) -> dict[str, Any]:
    return {key: read.get(key, default) for key, (_, default) in schema.items()}


def _datacenter(raw: Any, path: str, problems: Problems) -> DatacenterSettings | None:
    """One datacenter, or None when a required key is missing or unreadable (said once, for that key)."""
    given = raw if isinstance(raw, dict) else {}
    read = read_object(raw, DATACENTER_KEYS, path, problems)
    missing = [k for k in REQUIRED_DATACENTER_KEYS if k not in given]
    for key in missing:
        problems.add(_at(f"{path}.{key}", fix="is missing: every datacenter needs name, region and cidr"))
    if not isinstance(raw, dict) or any(k not in read for k in REQUIRED_DATACENTER_KEYS):
        return None
    values = _defaults(DATACENTER_KEYS, read)
    if values["azs"] is not None:
        values["azs"] = tuple(values["azs"])
    problems.check(
        values["region"] in known_regions(),
        _at(f"{path}.region", values["region"], f"is not an AWS region known to botocore: use one of "
            f"{', '.join(sorted(known_regions())[:6])}, ... (aws ec2 describe-regions lists yours)"),
    )
    return DatacenterSettings(**values)


def unused_sections(arch: str) -> dict[str, str]:
    """The sections ``arch`` has no use for, each with why (what the architecture lacks) and what to do."""
    kind = ARCHITECTURES[arch]
    unused = {}
    if not kind.multi_datacenter:
        unused["global_lb"] = (f"{arch} has one datacenter, behind its own NLB, and no global load balancer: "
                               "remove it, or use multi-dc")
    if not kind.shared_storage:
        unused["file_system"] = (f"{arch} has no shared file system (each instance keeps its files on its own data "
                                 "volume, portal.data_volume_gb): remove it, or use multi-dc")
    return unused


def _sections(read: Mapping[str, Any], arch: str, problems: Problems) -> dict[str, Mapping[str, Any]]:
    sections: dict[str, Mapping[str, Any]] = {}
    unused = unused_sections(arch)
    for section, schema in SECTIONS.items():
        if section in read and section in unused:
            problems.add(_at(f"{arch}.{section}", fix=f"is set, but {unused[section]}"))
        elif section in read:
            found = read_object(read[section], schema, f"{arch}.{section}", problems)
            for key, keys in NESTED.get(section, {}).items():
                if key in found:
                    nested = _nested(found.pop(key), keys, f"{arch}.{section}.{key}", problems)
                    if nested is not None:
                        found[key] = nested
            sections[section] = _frozen(found)
    return sections


def _nested(raw: Any, keys: Schema, path: str, problems: Problems) -> Mapping[str, Any] | None:
    """An object inside a section (``portal.api_manager``): its keys and types, and the keys it requires (those
    whose props field has no default); None when one is missing (said once, for that key)."""
    found = read_object(raw, keys, path, problems)
    missing = [key for key, (_, default) in keys.items() if default is REQUIRED and key not in found]
    for key in missing:
        if not (isinstance(raw, dict) and key in raw):  # a key of the wrong type is already said
            problems.add(_at(f"{path}.{key}", fix=f"is missing: {path.rsplit('.', 1)[-1]} needs "
                             f"{' and '.join(k for k, (_, d) in keys.items() if d is REQUIRED)}"))
    if missing:
        return None
    return _frozen(found)


def _frozen(found: Mapping[str, Any]) -> Mapping[str, Any]:
    """Keys read as props keyword arguments: read-only, JSON lists as tuples (the props' type)."""
    return MappingProxyType({k: (tuple(v) if isinstance(v, list) else v) for k, v in found.items()})


def _datacenter_set(arch: str, datacenters: list[DatacenterSettings], problems: Problems) -> None:
    """What is wrong with the datacenters together: names, regions and ranges must differ; how many."""
    first_name: dict[str, int] = {}
    first_region: dict[str, int] = {}
    for j, dc in enumerate(datacenters):
        if dc.name in first_name:
            problems.add(_at(f"{arch}.datacenters[{j}].name", dc.name, "repeats {0}: give each datacenter its own "
                             "name", (Ref(f"{arch}.datacenters[{first_name[dc.name]}].name"),)))
        first_name.setdefault(dc.name, j)
        if dc.region in first_region:
            i = first_region[dc.region]
            problems.add(_at(f"{arch}.datacenters[{j}].region", dc.region, f"repeats {{0}} ({datacenters[i].name} "
                             f"and {dc.name} are both in {dc.region}): each datacenter needs its own region",
                             (Ref(f"{arch}.datacenters[{i}].region"),)))
        first_region.setdefault(dc.region, j)
    count = len(datacenters)
    if ARCHITECTURES[arch].multi_datacenter:
        problems.check(count >= 2, _at(f"{arch}.datacenters", fix=f"has {count} datacenter(s): a "
                                       "multi-datacenter architecture needs at least 2 (or use single-dc)"))
    else:
        problems.check(count == 1, _at(f"{arch}.datacenters", fix=f"has {count} datacenters: single-dc takes "
                                       "exactly 1 (use multi-dc for more)"))
    # Peered VPCs must not overlap: checked before any construct exists (the mesh checks it again).
    from constructs_lib.interconnect_props import check_no_overlap

    here = Origin({"datacenters": f"{arch}.datacenters"})
    problems.extend(locate(p, here) for p in check_no_overlap([(dc.name, dc.cidr) for dc in datacenters]))


def _architecture(arch: str, raw: Any, problems: Problems) -> ArchitectureSettings | None:
    """One architecture, or None when its datacenters cannot be read (each problem said once)."""
    read = read_object(raw, ARCHITECTURE_KEYS, arch, problems)
    sections = _sections(read, arch, problems)
    if "datacenters" not in read or not read["datacenters"]:
        if isinstance(raw, dict) and (raw.get("datacenters") == [] or "datacenters" not in raw):
            problems.add(_at(f"{arch}.datacenters", fix="is missing or empty: list at least one datacenter"))
        return None
    parsed = [_datacenter(dc, f"{arch}.datacenters[{i}]", problems) for i, dc in enumerate(read["datacenters"])]
    datacenters = [dc for dc in parsed if dc is not None]
    if len(datacenters) < len(parsed):
        return None
    _datacenter_set(arch, datacenters, problems)
    names = [dc.name for dc in datacenters]
    primary = read.get("primary", names[0])
    problems.check(primary in names, _at(f"{arch}.primary", primary, f"is not one of the datacenters "
                                         f"({', '.join(names)}): name one of them"))
    home = read.get("database_home", "")
    problems.check(home == "" or home in names, _at(f"{arch}.database_home", home, f"is not one of the "
                                                    f"datacenters ({', '.join(names)}): name one of them"))
    if primary not in names or (home and home not in names):
        return None
    return ArchitectureSettings(name=arch, datacenters=tuple(datacenters), primary=primary, database_home=home,
                                sections=MappingProxyType(sections))


def _targets(raw: Any, problems: Problems) -> TargetSettings:
    values = read_object(raw, TARGET_KEYS, "targets", problems)
    for key, value in list(values.items()):
        if not problems.check(value >= 1, _at(f"targets.{key}", value, "is below 1: use a whole number of 1 or more")):
            del values[key]
    return TargetSettings(**values)


def _backend(raw: Any, problems: Problems) -> BackendSettings:
    values = _defaults(BACKEND_KEYS, read_object(raw, BACKEND_KEYS, "backend", problems))
    if values["type"] not in ("local", "s3"):
        problems.add(_at("backend.type", values["type"], 'is unknown: use "local" or "s3"'))
        return BackendSettings()
    if values["type"] == "s3":
        for key in ("bucket", "region"):
            problems.check(values.get(key) is not None,
                           _at(f"backend.{key}", fix="is missing: an s3 backend needs a bucket and its region"))
        if values.get("region") is not None:
            problems.check(values["region"] in known_regions(),
                           _at("backend.region", values["region"], "is not an AWS region known to botocore"))
    return BackendSettings(**values)


def read_context(context: Any, *, profile: str | None = None, source: str = "<context>",
                 state_dir: str | None = None) -> tuple[Settings, list[Problem]]:
    """The settings of a ``cdktf.json`` context and every key and type problem of the whole file; the
    architectures that could be read are in the settings, so their values can still be checked."""
    problems = Problems()
    top = read_object(context, TOP_LEVEL_KEYS, "", problems)
    chosen_profile = profile or top.get("profile") or "production"
    if chosen_profile not in PROFILES:
        where = "PORTAL_HA_PROFILE" if profile else "profile"
        problems.add(_at(where, chosen_profile, f"is unknown: use one of {', '.join(PROFILES)}"))
        chosen_profile = "production"
    architectures: dict[str, ArchitectureSettings] = {}
    for arch in NAMES:
        if arch in top:
            parsed = _architecture(arch, top[arch], problems)
            if parsed is not None:
                architectures[arch] = parsed
    backend = _backend(top["backend"], problems) if "backend" in top else BackendSettings()
    targets = _targets(top["targets"], problems) if "targets" in top else TargetSettings()
    settings = Settings(name_prefix=str(top.get("name_prefix", TOP_LEVEL_KEYS["name_prefix"][1])),
                        profile=chosen_profile, architectures=architectures, source=source, backend=backend,
                        targets=targets, state_dir=state_dir)
    return settings, problems.items
