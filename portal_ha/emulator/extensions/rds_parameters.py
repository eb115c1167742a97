"""RDS parameter groups: what the emulator adds to moto 5.2, each as the RDS API reference documents it.

moto models no engine defaults: a group holds only the parameters set with ModifyDBParameterGroup /
ModifyDBClusterParameterGroup, which are exactly AWS's ``Source: user`` parameters.

- DescribeDBParameters / DescribeDBClusterParameters (API_DescribeDBParameters, API_DescribeDBClusterParameters,
  API_Parameter). moto 5.2 answers the stored parameters without ``Source`` and ignores the ``Source``
  filter; the AWS provider's ``aws_db_parameter_group`` drops every parameter without ``Source`` (a diff on
  every plan), and ``aws_rds_cluster_parameter_group`` reads ``Source=user`` then ``Source=system``. Here:
  each parameter carries ``Source: user`` and ``IsModifiable: true`` (``ApplyType: dynamic`` when it was
  applied ``immediate``, which the reference allows for dynamic parameters only); ``Source`` ``user`` returns
  them, ``system`` and ``engine-default`` return none; no ``Source`` returns all. The filter
  ``parameter-name`` (the only one documented) and ``MaxRecords`` (20 to 100, default 100) / ``Marker`` paging
  are honoured. Errors: unknown group -> ``DBParameterGroupNotFound`` (404). Inferred codes: another
  ``Source`` value, another filter name, or ``MaxRecords`` / ``Marker`` out of range -> ``InvalidParameterValue``.
- ResetDBParameterGroup / ResetDBClusterParameterGroup (API_ResetDBParameterGroup,
  API_ResetDBClusterParameterGroup; moto 5.2: not implemented, so removing a parameter from a group fails).
  The named parameters (or all, with ``ResetAllParameters``) go back to their defaults, i.e. are no longer
  ``user`` parameters; the answer names the group. Documented: ResetDBParameterGroup resets all by default;
  at most 20 parameters per call; for a cluster group ``ResetAllParameters`` can't be used with
  ``Parameters``. Errors: unknown group -> ``DBParameterGroupNotFound`` (404); inferred codes: more than 20
  parameters -> ``InvalidParameterValue``; ``ResetAllParameters`` with ``Parameters`` on a cluster group, or
  nothing to reset (no parameters, ``ResetAllParameters`` false or, for a cluster group, absent) ->
  ``InvalidParameterCombination``. Not modelled: names unknown to the engine are not refused.
"""

from __future__ import annotations

from typing import Any

from .patch import Addition, Patch

SOURCE_USER = "user"
SOURCES = ("user", "system", "engine-default")
MAX_RECORDS_DEFAULT = 100
MAX_RECORDS_RANGE = range(20, 101)
MAX_RESET_PARAMETERS = 20


def _error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def _group(groups: dict[str, Any], name: str | None) -> Any:
    """A group by name, as AWS matches it (names are stored lowercase)."""
    wanted = (name or "").lower()
    return next((group for group in groups.values() if group.name == wanted), None)


def _db_group(response: Any, name: str | None) -> Any:
    from moto.rds.exceptions import DBParameterGroupNotFoundError

    group = _group(response.backend.db_parameter_groups, name)
    if group is None:
        raise DBParameterGroupNotFoundError(str(name))
    return group


def _cluster_group(response: Any, name: str | None) -> Any:
    from moto.rds.exceptions import DBClusterParameterGroupNotFoundError

    group = _group(response.backend.db_cluster_parameter_groups, name)
    if group is None:
        raise DBClusterParameterGroupNotFoundError(str(name))
    return group


def _as_user_parameter(name: str, stored: dict[str, Any]) -> dict[str, Any]:
    parameter = {"ParameterName": name, **stored, "Source": SOURCE_USER, "IsModifiable": True}
    if str(stored.get("ApplyMethod", "")).lower() == "immediate":
        parameter["ApplyType"] = "dynamic"
    return parameter


def _selected(response: Any, group: Any) -> list[dict[str, Any]]:
    source = response.params.get("Source")
    if source is not None and source not in SOURCES:
        raise _error("InvalidParameterValue", f"Invalid value {source} for Source. Valid values: {', '.join(SOURCES)}")
    names: set[str] | None = None
    for item in response.params.get("Filters") or []:
        if item["Name"] != "parameter-name":
            raise _error("InvalidParameterValue", f"Unrecognized filter name: {item['Name']}")
        names = (names or set()) | {str(value) for value in item.get("Values") or []}
    if source not in (None, SOURCE_USER):
        return []  # no engine-default or system parameters are modelled
    return [_as_user_parameter(name, stored) for name, stored in group.parameters.items()
            if names is None or name in names]


def _page(response: Any, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    max_records = response.params.get("MaxRecords")
    size = MAX_RECORDS_DEFAULT if max_records is None else int(max_records)
    if size not in MAX_RECORDS_RANGE:
        raise _error("InvalidParameterValue", f"Invalid value {size} for MaxRecords. Must be between 20 and 100")
    marker = response.params.get("Marker")
    start = 0
    if marker is not None:
        if not str(marker).isdigit() or int(marker) > len(parameters):
            raise _error("InvalidParameterValue", f"Invalid marker: {marker}")
        start = int(marker)
    page: dict[str, Any] = {"Parameters": parameters[start:start + size]}
    if start + size < len(parameters):
        page["Marker"] = str(start + size)
    return page


def _reset(group: Any, params: Any, *, cluster: bool) -> None:
    names = [str(item["ParameterName"]) for item in params.get("Parameters") or []]
    reset_all = params.get("ResetAllParameters")
    if len(names) > MAX_RESET_PARAMETERS:
        raise _error("InvalidParameterValue",
                     f"A maximum of {MAX_RESET_PARAMETERS} parameters can be reset in a single request.")
    if cluster and reset_all and names:
        raise _error("InvalidParameterCombination",
                     "ResetAllParameters can't be used together with a list of Parameters.")
    if not names and not (reset_all or (reset_all is None and not cluster)):
        raise _error("InvalidParameterCombination", "Specify either ResetAllParameters or a list of Parameters.")
    if reset_all or not names:
        group.parameters.clear()
        return
    for name in names:
        group.parameters.pop(name, None)


def describe_db_parameters(self: Any) -> Any:
    from moto.core.responses import ActionResult

    group = _db_group(self, self.params.get("DBParameterGroupName"))
    return ActionResult(_page(self, _selected(self, group)))


def describe_db_cluster_parameters(self: Any) -> Any:
    from moto.core.responses import ActionResult

    group = _cluster_group(self, self.params.get("DBClusterParameterGroupName"))
    return ActionResult(_page(self, _selected(self, group)))


def reset_db_parameter_group(self: Any) -> Any:
    from moto.core.responses import ActionResult

    group = _db_group(self, self.params.get("DBParameterGroupName"))
    _reset(group, self.params, cluster=False)
    return ActionResult({"DBParameterGroupName": group.name})


def reset_db_cluster_parameter_group(self: Any) -> Any:
    from moto.core.responses import ActionResult

    group = _cluster_group(self, self.params.get("DBClusterParameterGroupName"))
    _reset(group, self.params, cluster=True)
    return ActionResult({"DBClusterParameterGroupName": group.name})


def patches() -> list[Patch]:
    from moto.rds.responses import RDSResponse

    return [
        Patch(RDSResponse, "describe_db_parameters", describe_db_parameters),
        Patch(RDSResponse, "describe_db_cluster_parameters", describe_db_cluster_parameters),
        Addition(RDSResponse, "reset_db_parameter_group", reset_db_parameter_group),
        Addition(RDSResponse, "reset_db_cluster_parameter_group", reset_db_cluster_parameter_group),
    ]
