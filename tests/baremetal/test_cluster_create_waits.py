"""baremetal cluster create's waits: each has the command's --timeout, a running operation's
resource is polled with jitter, and a wait cut by Ctrl-C is audited as going on in Azure
(Azure/azure-resource-manager-rpc 69e229f v1.0/async-api-reference.md: a client polls until the
provisioningState is terminal; stopping the polls changes nothing in Azure)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from akscli.azure import arm
from akscli.azure.arm import AzureTarget
from tests.azure.helpers import record_pauses
from tests.emulators.arm import ArmEmulator
from tests.emulators.arm.baremetal import edge_machine

from .test_clusters import EDGE, RG, create
from .test_clusters import ssh_key as ssh_key  # autouse: the key file in the working directory

HELD = 10**9  # polls: the operation never ends while the test runs
POOL_STEP = f"step 1/7: device pool {EDGE} over edge machine {EDGE}"
SHOW = f"akscli baremetal cluster show edge1 -g {RG}"


def _device_pool_left_creating(emu: ArmEmulator) -> str:
    """The device pool of edge1, left Creating by an earlier run (its operation runs on in Azure)."""
    edge_machine(emu, RG, EDGE)
    plan = json.loads(create("edge1", "--dry-run", "-o", "json").stdout)
    pool = urlsplit(plan[0]["url"]).path
    emu.lro_polls = HELD
    arm.raw_call(arm.raw_client(AzureTarget()), "PUT", pool, "2024-11-01-preview", plan[0]["body"])
    assert emu.get_resource(pool)["properties"]["provisioningState"] == "Creating"
    return pool


def test_a_step_left_running_is_waited_for_until_the_timeout_then_exit_5_naming_it(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    _device_pool_left_creating(azure_env)
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    r = create("edge1", "--timeout", "1s")
    assert r.exit_code == 5, r
    assert f"error: {POOL_STEP}: still Creating after 1s: an operation already running in Azure" in r.stderr
    assert f"follow it with '{SHOW}', then run the command again; nothing was sent" in r.stderr


def test_a_step_left_running_is_polled_at_the_interval_with_jitter(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from akscli.azure import armretry

    pool = _device_pool_left_creating(azure_env)
    waited: list[float] = []

    def pause(seconds: float) -> None:
        waited.append(seconds)
        azure_env.lro_polls = 0
        azure_env.complete_operation(pool)  # the operation ends while akscli waits

    record_pauses(monkeypatch, pause)
    monkeypatch.setattr(armretry, "uniform", lambda low, high: 1.25 if low == 1.0 else low)
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "8")
    r = create("edge1", "--timeout", "10m")
    assert r.exit_code == 0, r
    assert waited[:1] == [10.0]  # 8 s x 1.25


def _ctrl_c_on(word: str) -> Callable[..., Iterator[Callable[[str], None]]]:
    """output.status whose update raises KeyboardInterrupt (Ctrl-C) at the first line with ``word``."""

    @contextmanager
    def status(_message: str) -> Iterator[Callable[[str], None]]:
        def update(line: str) -> None:
            if word in line:
                raise KeyboardInterrupt

        yield update

    return status


def test_ctrl_c_during_a_steps_operation_says_it_continues_and_audits_it(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from akscli import output

    edge_machine(azure_env, RG, EDGE)
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    monkeypatch.setattr(output, "status", _ctrl_c_on("InProgress"))
    log = tmp_path / "audit.jsonl"
    r = create("edge1", "--audit-log", str(log))
    assert r.exit_code == 130, r
    line = f"interrupted: {POOL_STEP} continues in Azure; follow it with: {SHOW}"
    assert r.stderr.strip().splitlines()[-1] == line
    (entry,) = [json.loads(x) for x in log.read_text().splitlines()]
    assert (entry["action"], entry["result"]) == ("baremetal cluster create", line)
    assert "/operations/" in entry["objects"][0]["operation"]


def test_a_steps_operation_past_the_timeout_goes_on_in_azure_and_says_how_to_resume(
    azure_env: ArmEmulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    edge_machine(azure_env, RG, EDGE)
    azure_env.lro_polls = HELD
    monkeypatch.setenv("AKSCLI_LRO_POLL_INTERVAL", "0.2")
    log = tmp_path / "audit.jsonl"
    r = create("edge1", "--timeout", "1s", "--audit-log", str(log))
    assert r.exit_code == 5, r
    assert f"error: {POOL_STEP} is still running in Azure (InProgress) after 1s" in r.stderr
    assert "then re-run the same command: it waits for step 1 and goes on" in r.stderr
    (entry,) = [json.loads(x) for x in log.read_text().splitlines()]
    assert entry["result"] == f"timed out: {POOL_STEP} continues in Azure; follow it with: {SHOW}"
    assert "failed" not in r.stderr  # a step still running is no failed step
