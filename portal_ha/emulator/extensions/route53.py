"""Route 53 private hosted zones: what the emulator adds to moto 5.2, as the Route 53 API reference documents it.

- ``CreateHostedZone`` with a ``VPC`` makes a private zone (API_CreateHostedZone: the VPC element is for
  private hosted zones; the ``PrivateZone`` flag of ``HostedZoneConfig`` is optional, and the AWS provider
  never sends it). moto 5.2 reads the VPC only when the flag is set, so it made a *public* zone, dropped the
  VPC, and then refused the next VPC with ``PublicZoneVPCAssociation``.
- One zone of a name per VPC (API_CreateHostedZone / API_AssociateVPCWithHostedZone, error
  ``ConflictingDomainExists``): a second private zone of the same name is accepted in *another* VPC, refused in
  a VPC already associated with a zone of that name, at create and at associate (moto: never refused).
- The VPC must exist in the region given (``InvalidVPCId``), and ``VPCRegion`` goes with ``VPCId``
  (``InvalidInput``). moto: any string accepted.
- ``DisassociateVPCFromHostedZone`` of a VPC that is not associated answers ``VPCAssociationNotFound`` (HTTP 404);
  moto: silently succeeded. ``LastVPCAssociation`` stays moto's own.
- ``ChangeResourceRecordSets`` ``CREATE`` (API_ChangeResourceRecordSets): refused with ``InvalidChangeBatch``
  ("... but it already exists") exactly when a record set of that name, type and set identifier exists at that
  point of the batch (changes apply in order, so DELETE then CREATE of one record in a batch is fine). moto 5.2
  decides from its journal of past changes instead: it refused to re-create a record that had been deleted
  (measured: delete an A record, create it again with the same values) and accepted a second record of the same
  name and type with other values.
"""

from __future__ import annotations

from typing import Any

from .patch import Patch


def _error(code: str, message: str) -> Exception:
    from moto.route53.exceptions import Route53ClientError

    return Route53ClientError(code, message)


def _name(name: str) -> str:
    return name if name.endswith(".") else f"{name}."


def _check_vpc(account_id: str, vpc_id: str | None, vpc_region: str | None) -> None:
    from moto.ec2.models import ec2_backends

    if not vpc_id or not vpc_region:
        raise _error("InvalidInput", "Invalid request: a VPC needs both VPCId and VPCRegion")
    try:
        known = vpc_id in ec2_backends[account_id][vpc_region].vpcs
    except KeyError:  # not a region
        known = False
    if not known:
        raise _error("InvalidVPCId", f"The VPC ID '{vpc_id}' is not valid in {vpc_region}, or the current account "
                                     "is not authorized to access this VPC.")


def _check_name_free_in_vpc(backend: Any, name: str, vpc_id: str, vpc_region: str) -> None:
    for zone in backend.zones.values():
        if zone.private_zone and zone.name == _name(name) and any(v.get("vpc_id") == vpc_id for v in zone.vpcs):
            raise _error("ConflictingDomainExists",
                         f"The VPC {vpc_id} in {vpc_region} region has already been associated with the hosted zone "
                         f"{zone.resource_id} with the same domain name.")


def create_hosted_zone(self: Any) -> Any:
    from moto.core.responses import ActionResult
    from moto.core.utils import utcnow

    name = _name(self._get_param("Name"))
    vpc_id, vpc_region = self._get_param("VPC.VPCId"), self._get_param("VPC.VPCRegion")
    private = bool(self._get_bool_param("HostedZoneConfig.PrivateZone", False) or vpc_id or vpc_region)
    delegation_set_id = self._get_param("DelegationSetId")
    if private and (vpc_id or vpc_region):
        _check_vpc(self.current_account, vpc_id, vpc_region)
        _check_name_free_in_vpc(self.backend, name, vpc_id, vpc_region)
    zone = self.backend.create_hosted_zone(
        name=name, comment=self._get_param("HostedZoneConfig.Comment"), private_zone=private,
        caller_reference=self._get_param("CallerReference"), vpcid=vpc_id if private else None,
        vpcregion=vpc_region if private else None, delegation_set_id=delegation_set_id)
    return ActionResult({
        "HostedZone": zone,
        "ChangeInfo": {"Id": "/change/C1PA6795UKMFR9", "Status": "INSYNC", "SubmittedAt": utcnow()},
        "DelegationSet": None if private else zone.delegation_set,
        "VPC": {"VPCRegion": zone.vpcs[0].get("vpc_region"), "VPCId": zone.vpcs[0].get("vpc_id")}
        if private and zone.vpcs else None,
        "Location": f"https://route53.amazonaws.com/2013-04-01/hostedzone/{zone.resource_id}",
    })


def _record_key(name: str, rtype: str | None, set_identifier: str | None) -> tuple[str, str, str]:
    return name.rstrip(".").lower(), rtype or "", set_identifier or ""


def _check_creates(zone: Any, changes: list[dict[str, Any]]) -> None:
    """AWS's rule for CREATE, over the batch in order (nothing is applied here)."""
    from moto.route53.exceptions import ResourceRecordAlreadyExists

    present = {_record_key(r.name, r.type, r.set_identifier) for r in zone.rrsets}
    for change in changes:
        record = change.get("ResourceRecordSet", {})
        key = _record_key(record.get("Name", ""), record.get("Type"), record.get("SetIdentifier"))
        if change.get("Action") == "CREATE":
            if key in present:
                raise ResourceRecordAlreadyExists(name=_name(record.get("Name", "")), _type=key[1])
            present.add(key)
        elif change.get("Action") == "UPSERT":
            present.add(key)
        elif change.get("Action") == "DELETE":
            present.discard(key)


def _not_in_journal(self: Any, item: Any) -> bool:
    """moto's ``ChangeList`` membership, used only by moto's journal-based CREATE check, which
    ``_check_creates`` replaces: no journal entry ever makes a CREATE fail."""
    return False


def patches() -> list[Patch]:
    from moto.route53.models import ChangeList, Route53Backend
    from moto.route53.responses import Route53

    own_change = Route53Backend.change_resource_record_sets

    def change_resource_record_sets(self: Any, zoneid: str, change_list: list[dict[str, Any]]) -> Any:
        _check_creates(self.get_hosted_zone(zoneid), change_list)  # NoSuchHostedZone first
        return own_change(self, zoneid=zoneid, change_list=change_list)

    own_associate = Route53Backend.associate_vpc_with_hosted_zone
    own_disassociate = Route53Backend.disassociate_vpc_from_hosted_zone

    def associate_vpc_with_hosted_zone(self: Any, zone_id: str, vpcid: str, vpcregion: str) -> Any:
        zone = self.get_hosted_zone(zone_id)  # NoSuchHostedZone first, as on AWS
        if zone.private_zone:
            _check_vpc(self.account_id, vpcid, vpcregion)
            _check_name_free_in_vpc(self, zone.name, vpcid, vpcregion)
        # a public zone: PublicZoneVPCAssociation
        return own_associate(self, zone_id=zone_id, vpcid=vpcid, vpcregion=vpcregion)

    def disassociate_vpc_from_hosted_zone(self: Any, zone_id: str, vpcid: str) -> Any:
        zone = self.get_hosted_zone(zone_id)
        if not any(v.get("vpc_id") == vpcid for v in zone.vpcs):
            raise _error("VPCAssociationNotFound", f"The specified VPC {vpcid} and hosted zone {zone.resource_id} "
                                                   "are not currently associated.")
        return own_disassociate(self, zone_id=zone_id, vpcid=vpcid)

    return [
        Patch(Route53, "create_hosted_zone", create_hosted_zone),
        Patch(Route53Backend, "associate_vpc_with_hosted_zone", associate_vpc_with_hosted_zone),
        Patch(Route53Backend, "disassociate_vpc_from_hosted_zone", disassociate_vpc_from_hosted_zone),
        Patch(Route53Backend, "change_resource_record_sets", change_resource_record_sets),
        Patch(ChangeList, "__contains__", _not_in_journal),
    ]
