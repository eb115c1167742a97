"""Route 53 private hosted zones against the running emulator, as the provider creates them (a VPC, no
``PrivateZone`` flag)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .conftest import error_of

NAME = "efs.portal.internal"


@pytest.fixture
def vpcs(aws_client):
    """Two VPCs in eu-west-1 and one in us-east-1."""
    west, east = aws_client("ec2", "eu-west-1"), aws_client("ec2", "us-east-1")
    return [west.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"],
            west.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"],
            east.create_vpc(CidrBlock="10.2.0.0/16")["Vpc"]["VpcId"]]


def _private_zone(route53, vpc, region="eu-west-1", ref="a"):
    return route53.create_hosted_zone(Name=NAME, CallerReference=ref, HostedZoneConfig={"Comment": "efs"},
                                      VPC={"VPCRegion": region, "VPCId": vpc})


def test_a_zone_created_with_a_vpc_is_private_and_keeps_it(aws_client, vpcs):
    route53 = aws_client("route53")
    created = _private_zone(route53, vpcs[0])
    assert created["HostedZone"]["Config"]["PrivateZone"] is True
    assert created["VPC"] == {"VPCRegion": "eu-west-1", "VPCId": vpcs[0]}
    assert "DelegationSet" not in created
    zone = route53.get_hosted_zone(Id=created["HostedZone"]["Id"])
    assert zone["HostedZone"]["Config"]["PrivateZone"] is True
    assert zone["VPCs"] == [{"VPCRegion": "eu-west-1", "VPCId": vpcs[0]}]
    assert "DelegationSet" not in zone
    records = route53.list_resource_record_sets(HostedZoneId=created["HostedZone"]["Id"])["ResourceRecordSets"]
    assert {r["Type"] for r in records} == {"NS", "SOA"}  # the provider reads the NS record of a private zone


def test_a_zone_without_vpc_stays_public(aws_client):
    created = aws_client("route53").create_hosted_zone(Name="portal.example.com", CallerReference="p")
    assert created["HostedZone"]["Config"]["PrivateZone"] is False
    assert created["DelegationSet"]["NameServers"]


def test_vpcs_of_other_regions_associate_and_disassociate(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = _private_zone(route53, vpcs[0])["HostedZone"]["Id"]
    route53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC={"VPCRegion": "us-east-1", "VPCId": vpcs[2]})
    assert {v["VPCId"] for v in route53.get_hosted_zone(Id=zone_id)["VPCs"]} == {vpcs[0], vpcs[2]}
    route53.disassociate_vpc_from_hosted_zone(HostedZoneId=zone_id, VPC={"VPCRegion": "eu-west-1", "VPCId": vpcs[0]})
    assert route53.get_hosted_zone(Id=zone_id)["VPCs"] == [{"VPCRegion": "us-east-1", "VPCId": vpcs[2]}]
    with pytest.raises(ClientError) as last:
        route53.disassociate_vpc_from_hosted_zone(HostedZoneId=zone_id,
                                                  VPC={"VPCRegion": "us-east-1", "VPCId": vpcs[2]})
    assert error_of(last)[:2] == ("LastVPCAssociation", 400)


def test_same_name_in_another_vpc_is_accepted_in_the_same_vpc_refused(aws_client, vpcs):
    route53 = aws_client("route53")
    first = _private_zone(route53, vpcs[0], ref="a")["HostedZone"]["Id"]
    second = _private_zone(route53, vpcs[1], ref="b")["HostedZone"]["Id"]
    assert first != second
    with pytest.raises(ClientError) as at_create:
        _private_zone(route53, vpcs[0], ref="c")
    assert error_of(at_create)[:2] == ("ConflictingDomainExists", 400)
    with pytest.raises(ClientError) as at_associate:
        route53.associate_vpc_with_hosted_zone(HostedZoneId=second,
                                               VPC={"VPCRegion": "eu-west-1", "VPCId": vpcs[0]})
    assert error_of(at_associate)[:2] == ("ConflictingDomainExists", 400)
    with pytest.raises(ClientError) as twice:
        route53.associate_vpc_with_hosted_zone(HostedZoneId=first, VPC={"VPCRegion": "eu-west-1", "VPCId": vpcs[0]})
    assert error_of(twice)[:2] == ("ConflictingDomainExists", 400)
    assert len(route53.get_hosted_zone(Id=first)["VPCs"]) == 1


def test_unknown_or_incomplete_vpc_is_refused(aws_client, vpcs):
    route53 = aws_client("route53")
    with pytest.raises(ClientError) as unknown:
        _private_zone(route53, "vpc-0123456789abcdef0")
    assert error_of(unknown)[:2] == ("InvalidVPCId", 400)
    with pytest.raises(ClientError) as wrong_region:
        _private_zone(route53, vpcs[2], region="eu-west-1")  # that VPC is in us-east-1
    assert error_of(wrong_region)[:2] == ("InvalidVPCId", 400)
    with pytest.raises(ClientError) as no_region:
        route53.create_hosted_zone(Name=NAME, CallerReference="x", VPC={"VPCId": vpcs[0]})
    assert error_of(no_region)[:2] == ("InvalidInput", 400)
    assert route53.list_hosted_zones()["HostedZones"] == []


def test_disassociating_a_vpc_that_is_not_associated_is_not_found(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = _private_zone(route53, vpcs[0])["HostedZone"]["Id"]
    route53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC={"VPCRegion": "us-east-1", "VPCId": vpcs[2]})
    with pytest.raises(ClientError) as raised:
        route53.disassociate_vpc_from_hosted_zone(HostedZoneId=zone_id,
                                                  VPC={"VPCRegion": "eu-west-1", "VPCId": vpcs[1]})
    assert error_of(raised)[:2] == ("VPCAssociationNotFound", 404)
    assert len(route53.get_hosted_zone(Id=zone_id)["VPCs"]) == 2


def test_a_public_zone_refuses_a_vpc(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = route53.create_hosted_zone(Name="portal.example.com", CallerReference="p")["HostedZone"]["Id"]
    with pytest.raises(ClientError) as raised:
        route53.associate_vpc_with_hosted_zone(HostedZoneId=zone_id, VPC={"VPCRegion": "eu-west-1", "VPCId": vpcs[0]})
    assert error_of(raised)[:2] == ("PublicZoneVPCAssociation", 400)


def _change(route53, zone_id, *changes):
    route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch={"Changes": [
        {"Action": action, "ResourceRecordSet": record} for action, record in changes]})


def _a(value="10.0.0.4", name=f"{NAME}.", **extra):
    return {"Name": name, "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": value}], **extra}


def _a_records(route53, zone_id):
    return [(r["Name"], r.get("SetIdentifier"), [v["Value"] for v in r.get("ResourceRecords", [])])
            for r in route53.list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"] if r["Type"] == "A"]


def test_a_deleted_record_can_be_created_again(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = _private_zone(route53, vpcs[0])["HostedZone"]["Id"]
    _change(route53, zone_id, ("CREATE", _a()))
    _change(route53, zone_id, ("DELETE", _a()))
    assert _a_records(route53, zone_id) == []
    _change(route53, zone_id, ("CREATE", _a()))  # plain moto: "already exists", from its journal
    assert _a_records(route53, zone_id) == [(f"{NAME}.", None, ["10.0.0.4"])]


def test_creating_an_existing_record_is_refused_whatever_its_values(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = _private_zone(route53, vpcs[0])["HostedZone"]["Id"]
    _change(route53, zone_id, ("CREATE", _a()))
    for record in (_a(), _a("10.0.0.5"), _a(name=NAME.upper() + ".")):
        with pytest.raises(ClientError) as raised:
            _change(route53, zone_id, ("CREATE", record))
        code, status, message = error_of(raised)
        assert (code, status) == ("InvalidChangeBatch", 400)
        assert "already exists" in message
    assert _a_records(route53, zone_id) == [(f"{NAME}.", None, ["10.0.0.4"])]


def test_a_batch_applies_in_order_and_set_identifiers_tell_records_apart(aws_client, vpcs):
    route53 = aws_client("route53")
    zone_id = _private_zone(route53, vpcs[0])["HostedZone"]["Id"]
    _change(route53, zone_id, ("CREATE", _a()))
    _change(route53, zone_id, ("DELETE", _a()), ("CREATE", _a("10.0.0.9")))
    assert _a_records(route53, zone_id) == [(f"{NAME}.", None, ["10.0.0.9"])]
    public = route53.create_hosted_zone(Name="example.com", CallerReference="p")["HostedZone"]["Id"]
    weighted = {"Name": "portal.example.com.", "Weight": 1}
    _change(route53, public, ("CREATE", _a(**weighted, SetIdentifier="dc1")),
            ("CREATE", _a("10.0.0.5", **weighted, SetIdentifier="dc2")))
    assert sorted(_a_records(route53, public)) == [("portal.example.com.", "dc1", ["10.0.0.4"]),
                                                   ("portal.example.com.", "dc2", ["10.0.0.5"])]
    with pytest.raises(ClientError) as raised:
        _change(route53, public, ("CREATE", _a("10.0.0.6", **weighted, SetIdentifier="dc1")))
    assert error_of(raised)[0] == "InvalidChangeBatch"
