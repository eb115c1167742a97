"""The apply/destroy progress display: [done/total], elapsed time, what is still waiting; one updating line on
a terminal, plain lines in logs; every error diagnostic printed. Fed with Terraform's JSON UI events."""

from __future__ import annotations

import io
import json

import pytest

from portal_ha.progress import Progress, clock_text, short_address
from portal_ha.terraform import parallelism_from


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _hook(kind: str, address: str, action: str = "create") -> str:
    return json.dumps({"type": kind, "hook": {"resource": {"addr": address}, "action": action}})


SUMMARY = json.dumps({"type": "change_summary", "changes": {"add": 3, "change": 1, "remove": 1, "operation": "plan"}})


def _progress(tty: bool) -> tuple[Progress, io.StringIO, Clock]:
    out, clock = io.StringIO(), Clock()
    return Progress(out=out, tty=tty, clock=clock), out, clock


def test_total_comes_from_the_plan_and_each_finish_counts():
    progress, out, clock = _progress(tty=False)
    progress.feed(SUMMARY)
    assert progress.total == 5
    progress.feed(_hook("apply_start", "aws_vpc.dc1_network_vpc_5C2F0E7D"))
    clock.now = 10.0
    progress.feed(_hook("apply_complete", "aws_vpc.dc1_network_vpc_5C2F0E7D"))
    assert progress.done == 1
    assert out.getvalue().splitlines() == ["[1/5]    10s  created aws_vpc.dc1_network_vpc in 10s"]


def test_logs_say_what_is_waiting_when_nothing_finished_for_a_while():
    progress, out, clock = _progress(tty=False)
    progress.feed(SUMMARY)
    for address in ("aws_rds_cluster.db_dc1_cluster_C7E0EC43", "aws_lb.dc1_lb_nlb_9F959667",
                    "aws_instance.a_1", "aws_instance.b_2"):
        progress.feed(_hook("apply_start", address))
        clock.now += 1
    clock.now = 29.0
    progress.tick()
    assert out.getvalue() == ""  # quiet for less than 30 s: nothing to say yet
    clock.now = 31.0
    progress.tick()
    assert out.getvalue().splitlines() == [
        "[0/5]    31s  waiting: 4 in progress: aws_rds_cluster.db_dc1_cluster (31 s), aws_lb.dc1_lb_nlb (30 s), "
        "aws_instance.a_1 (29 s), +1 more"
    ]


def test_a_terminal_gets_one_updating_line_and_errors_on_their_own_lines():
    progress, out, clock = _progress(tty=True)
    progress.feed(SUMMARY)
    progress.feed(_hook("apply_start", "aws_rds_cluster.db_dc2_cluster_AB12CD34"))
    clock.now = 24.0
    progress.tick()
    assert out.getvalue().endswith("\r\x1b[K[0/5]    24s  1 in progress: aws_rds_cluster.db_dc2_cluster (24 s)")
    assert "\n" not in out.getvalue()
    progress.feed(json.dumps({"type": "diagnostic", "diagnostic": {
        "severity": "error", "summary": "creating RDS Cluster", "detail": "api error X\nline 2",
        "address": "aws_rds_cluster.db_dc2_cluster_AB12CD34"}}))
    progress.feed(_hook("apply_errored", "aws_rds_cluster.db_dc2_cluster_AB12CD34"))
    progress.close()
    text = out.getvalue()
    assert "ERROR (aws_rds_cluster.db_dc2_cluster): creating RDS Cluster\n    api error X\n    line 2\n" in text
    assert progress.failed == ["aws_rds_cluster.db_dc2_cluster_AB12CD34"]
    assert progress.errors == ["ERROR (aws_rds_cluster.db_dc2_cluster): creating RDS Cluster\n    api error X\n"
                               "    line 2"]
    assert text.endswith("\r\x1b[K[1/5]    24s\n")


def test_data_sources_read_while_planning_are_not_changes():
    progress, out, _ = _progress(tty=False)
    progress.feed(_hook("apply_start", "data.aws_partition.p", "read"))
    progress.feed(_hook("apply_complete", "data.aws_partition.p", "read"))
    progress.feed(SUMMARY)
    assert (progress.done, progress.running, out.getvalue()) == (0, {}, "")


def test_destroy_and_plain_lines():
    progress, out, clock = _progress(tty=False)
    progress.feed(json.dumps({"type": "change_summary", "changes": {"add": 0, "change": 0, "remove": 2,
                                                                    "operation": "plan"}}))
    progress.feed(_hook("apply_start", "aws_vpc.v", "delete"))
    progress.feed(_hook("apply_complete", "aws_vpc.v", "delete"))
    progress.feed("Error: something Terraform printed without -json\n")
    progress.feed(json.dumps({"type": "change_summary", "changes": {"remove": 2, "operation": "destroy"}}))
    assert progress.total == 2
    assert out.getvalue().splitlines() == ["[1/2]     0s  destroyed aws_vpc.v in 0s",
                                           "Error: something Terraform printed without -json"]


@pytest.mark.parametrize(("address", "short"), [
    ("aws_rds_cluster.db_dc2_cluster_C7E0EC43", "aws_rds_cluster.db_dc2_cluster"),
    ("aws_instance.fleet_instance-0_1A2B3C4D", "aws_instance.fleet_instance-0"),
    ("aws_subnet.s[0]", "aws_subnet.s[0]"),
    ("aws_vpc.plain", "aws_vpc.plain"),
])
def test_short_address_drops_the_cdktf_hash(address, short):
    assert short_address(address) == short


def test_clock_text():
    assert [clock_text(s) for s in (0, 59.9, 60, 185)] == ["0s", "59s", "1m00s", "3m05s"]


@pytest.mark.parametrize(("value", "expected"), [(None, None), ("", None), ("1", 1), (" 10 ", 10), (256, 256)])
def test_parallelism_accepts_whole_numbers(value, expected):
    assert parallelism_from(value, "PORTAL_HA_PARALLELISM") == expected


@pytest.mark.parametrize("value", ["0", "-1", "ten", "2.5", "257", 0])
def test_parallelism_refuses_anything_else_naming_its_source(value):
    with pytest.raises(ValueError) as raised:
        parallelism_from(value, "PORTAL_HA_PARALLELISM")
    assert str(raised.value) == (
        f"PORTAL_HA_PARALLELISM {value!r} is not a number of concurrent operations: use a whole number from 1 "
        "to 256 (Terraform's default is 10)")


def test_the_last_outputs_message_gives_the_outputs_with_sensitive_ones_masked():
    progress, _, _ = _progress(tty=False)
    assert progress.outputs is None
    progress.feed(json.dumps({"type": "outputs", "outputs": {
        "url": {"sensitive": False, "type": "string", "value": "https://x"},
        "secret": {"sensitive": True, "type": "string"}}}))
    assert progress.outputs == {"url": "https://x", "secret": "(sensitive)"}
