"""RDS DB instances and clusters: what the emulator adds to moto 5.2, each as the RDS API reference documents it.

- Performance Insights on DB instances (API_CreateDBInstance, API_ModifyDBInstance, API_DBInstance). moto 5.2
  keeps none of ``EnablePerformanceInsights`` / ``PerformanceInsightsKMSKeyId`` /
  ``PerformanceInsightsRetentionPeriod`` at create, and after a modify never reports
  ``PerformanceInsightsEnabled``, so the AWS provider plans to turn it on again after every apply. AWS:
  DescribeDBInstances reports ``PerformanceInsightsEnabled`` (false unless turned on); when on, also
  ``PerformanceInsightsRetentionPeriod`` (default 7 days) and ``PerformanceInsightsKMSKeyId`` (default: the
  account's AWS managed key for RDS in the region, ``alias/aws/rds``, reported as a key ARN). Errors:
  a retention other than 7, 731 or a month count times 31 (1 to 23 months) -> ``InvalidParameterValue`` (the
  reference says "returns an error"; the code is inferred); a KMS key that does not exist or lies in another
  region -> ``KMSKeyNotAccessibleFault``; a different KMS key while Performance Insights is on ->
  ``InvalidParameterCombination`` ("You can't change your Performance Insights KMS key", the wording the AWS
  provider's acceptance tests expect). Inferred: a key given as ID or alias is reported as its key ARN;
  turning Performance Insights off reports only ``PerformanceInsightsEnabled: false``; retention and key sent
  with Performance Insights off are validated but not kept.
- ``ScalingConfigurationInfo`` of DescribeDBClusters (API_DBCluster: "The scaling configuration for an Aurora DB
  cluster in serverless DB engine mode"). moto 5.2 sends an empty element for every cluster, which the AWS
  provider reads as a ``scaling_configuration`` block of zero values: a diff on every plan. AWS omits it
  for provisioned clusters; here it is reported only for ``EngineMode: serverless``.

Parameter groups are in ``rds_parameters``, global databases in ``rds_global`` and ``rds_failover``.
"""

from __future__ import annotations

from typing import Any

from .patch import Addition, Patch

PI_DEFAULT_RETENTION_DAYS = 7
PI_LONG_RETENTION_DAYS = 731
PI_MONTHS = range(1, 24)
PI_RETENTION_DAYS = frozenset({PI_DEFAULT_RETENTION_DAYS, PI_LONG_RETENTION_DAYS, *(31 * m for m in PI_MONTHS)})
PI_DEFAULT_KEY_ALIAS = "alias/aws/rds"
PI_REQUEST_KEYS = ("enable_performance_insights", "performance_insights_kms_key_id",
                   "performance_insights_retention_period")


def _rds_error(code: str, message: str) -> Exception:
    from moto.rds.exceptions import RDSClientError

    return RDSClientError(code, message)


def _key_arn(backend: Any, key_id: str) -> str:
    """The ARN of the KMS key (key ARN, key ID, alias ARN or alias name) in the backend's region."""
    from moto.rds.exceptions import KMSKeyNotAccessibleFault

    try:
        return str(backend._validate_kms_key(kms_key_id=key_id))  # same region only, as RDS requires
    except (KeyError, AttributeError, TypeError) as unknown:  # an unknown alias breaks inside moto's KMS
        raise KMSKeyNotAccessibleFault(key_id) from unknown


def _pop_request(db_kwargs: Any) -> dict[str, Any]:
    return {key: db_kwargs.pop(key) for key in PI_REQUEST_KEYS if db_kwargs.get(key) is not None}


def performance_insights(backend: Any, instance: Any, request: dict[str, Any]) -> tuple[bool, str | None, int | None]:
    """(enabled, KMS key ARN, retention days) after the request, for a new (``instance`` None) or existing
    instance; raises AWS's error instead when the request is invalid."""
    retention = request.get("performance_insights_retention_period")
    if retention is not None and int(retention) not in PI_RETENTION_DAYS:
        raise _rds_error("InvalidParameterValue",
                         f"Invalid Performance Insights retention period: {retention}. Valid values are 7, "
                         f"month * 31 (where month is a number of months from 1-23), and 731.")
    was_on = bool(instance is not None and instance.performance_insights_enabled)
    requested = request.get("enable_performance_insights")
    enabled = was_on if requested is None else bool(requested)
    if not enabled:
        return False, None, None
    key = request.get("performance_insights_kms_key_id")
    key_arn = _key_arn(backend, key) if key is not None else None
    if was_on:
        if key_arn is not None and key_arn != instance.performance_insights_kms_key_id:
            raise _rds_error("InvalidParameterCombination", "You can't change your Performance Insights KMS key.")
        return True, instance.performance_insights_kms_key_id, int(
            retention if retention is not None else instance.performance_insights_retention_period)
    if key_arn is None:
        key_arn = str(backend.kms.describe_key(PI_DEFAULT_KEY_ALIAS).arn)
    return True, key_arn, int(retention if retention is not None else PI_DEFAULT_RETENTION_DAYS)


def _keep(instance: Any, settings: tuple[bool, str | None, int | None]) -> None:
    enabled, key_arn, retention = settings
    instance.performance_insights_enabled = enabled
    instance.performance_insights_kms_key_id = key_arn
    instance.performance_insights_retention_period = retention


def patches() -> list[Patch]:
    from moto.rds.models import DBCluster, DBInstance, RDSBackend

    own_create = RDSBackend.create_db_instance
    own_modify = RDSBackend.modify_db_instance
    own_scaling = DBCluster.__dict__["scaling_configuration_info"]

    def create_db_instance(self: Any, db_kwargs: Any) -> Any:
        settings = performance_insights(self, None, _pop_request(db_kwargs))  # refused before anything exists
        database = own_create(self, db_kwargs=db_kwargs)
        _keep(database, settings)
        return database

    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: Any) -> Any:
        request = _pop_request(db_kwargs)
        # DBInstanceNotFound first
        database = self.describe_db_instances(db_instance_identifier=db_instance_identifier)[0]
        settings = performance_insights(self, database, request)
        database = own_modify(self, db_instance_identifier=db_instance_identifier, db_kwargs=db_kwargs)
        _keep(database, settings)
        return database

    def scaling_configuration_info(self: Any) -> Any:
        return own_scaling.fget(self) if self.engine_mode == "serverless" else None

    return [
        Addition(DBInstance, "performance_insights_enabled", False),
        Addition(DBInstance, "performance_insights_kms_key_id", None),
        Addition(DBInstance, "performance_insights_retention_period", None),
        Patch(RDSBackend, "create_db_instance", create_db_instance),
        Patch(RDSBackend, "modify_db_instance", modify_db_instance),
        Patch(DBCluster, "scaling_configuration_info", property(scaling_configuration_info)),
    ]
