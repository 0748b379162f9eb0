"""Every command that sends an ARM write is in the write tables, found from the command tree, not
listed by hand.

An ARM command is one with the Azure flag block (``--subscription/--auth/--tenant``); one that
writes has ``--dry-run`` too, which prints each write it would send (method, URL with its
api-version, body) and sends none. Each such command must have a line in a table of
test_arm_write_bodies.py (AKS_WRITES, FLEET_WRITES, BAREMETAL_WRITES, APPROVE), whose bodies are
checked against the published API, or in BODYLESS_WRITES here, whose dry run must print no body (a
DELETE, a start, a credentials POST). A new write command fails the first test below until it is
put in one; one whose dry run starts to print a body fails the last until it moves to the body
tables. An ARM command without --dry-run may only read (ARM_READS): a new one fails until it is
put there or given --dry-run.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from tests.azure import test_arm_write_bodies as bodies
from tests.azure.helpers import seed_cluster
from tests.cli import invoke
from tests.emulators.arm.server import ArmEmulator
from tests.fleet import armworld

F = bodies.F
# (world, command line): what the dry run of each prints carries no body.
BODYLESS_WRITES = {
    "cluster delete": ("aks", "cluster delete aks1 -g rg-ml -y"),
    "cluster start": ("aks", "cluster start aks1 -g rg-ml"),
    "cluster stop": ("aks", "cluster stop aks1 -g rg-ml"),
    "cluster node image": ("aks", "cluster upgrade aks1 -g rg-ml --node-image-only -y"),
    "pool node image": ("aks", "nodepool upgrade system -c aks1 -g rg-ml --node-image-only -y"),
    "pool delete": ("aks", "nodepool delete gpu -c aks1 -g rg-ml -y"),
    "cluster abort": ("aks-running", "cluster abort aks1 -g rg-ml -y"),
    "pool abort": ("aks-running", "nodepool abort system -c aks1 -g rg-ml -y"),
    "fleet delete": ("fleet", "fleet delete ml-fleet -g rg-fleet -y"),
    "member remove": ("fleet", f"fleet member remove gpu {F} -y"),
    "rollout start": ("fleet", f"fleet rollout start up-1 {F}"),
    "rollout stop": ("fleet", f"fleet rollout stop up-1 {F}"),
    "rollout delete": ("fleet", f"fleet rollout delete up-1 {F} -y"),
    "strategy delete": ("fleet", f"fleet rollout strategy delete s1 {F} -y"),
    "auto-upgrade delete": ("fleet", f"fleet autoupgrade delete au {F} -y"),
    "bare-metal delete": ("baremetal", "baremetal cluster delete edge1 -g rg-edge -y"),
}
# Commands whose --dry-run is the kubeconfig's (merged, not written): the ARM request they send is the
# POST that lists credentials, a read (ManagedClusters_ListClusterUserCredentials, Fleets_ListCredentials,
# provisionedClusterInstances listUserKubeconfig), with no body.
KUBECONFIG_DRY_RUNS = {
    "cluster credentials": ("aks", "cluster credentials aks1 -g rg-ml"),
    "fleet credentials": ("fleet", "fleet credentials ml-fleet -g rg-fleet"),
    "bare-metal credentials": ("baremetal", "baremetal cluster credentials edge1 -g rg-edge"),
}
# ARM commands that only read (no --dry-run, as nothing is changed).
ARM_READS = {
    "cluster list", "cluster show", "cluster wait", "nodepool list", "nodepool show",
    "baremetal cluster list", "baremetal cluster show",
    "fleet list", "fleet show", "fleet gates", "fleet member list", "fleet rollout list", "fleet rollout status",
    "fleet member show", "fleet rollout strategy list", "fleet rollout strategy show", "fleet autoupgrade list",
    "fleet autoupgrade show",
    "doctor",  # lists workspaces, identities and role assignments only (akscli.doctor.keda_role)
}  # fmt: skip


def _commands() -> Iterator[tuple[str, set[str]]]:
    """Every command of the tree (as `akscli --help` builds it), with its option names."""
    from tests.foundation.test_bad_input import leaves

    for path, command in leaves():
        yield " ".join(path), {opt for param in command.params for opt in getattr(param, "opts", [])}


def arm_commands() -> dict[str, bool]:
    """Each ARM command (the Azure flag block), and whether it has --dry-run (it writes). Not akscli token:
    its --subscription is kubelogin's, the Azure CLI account it signs in with, and it sends nothing to ARM."""
    found = _commands()
    return {
        path: "--dry-run" in opts for path, opts in found if {"--subscription", "--auth"} <= opts and path != "token"
    }


def command_of(line: str, known: set[str]) -> str:
    """The command a table line runs: its longest leading words that name a command."""
    words = shlex.split(line)
    for n in range(len(words), 0, -1):
        if " ".join(words[:n]) in known:
            return " ".join(words[:n])
    raise AssertionError(f"{line!r} runs no command of the tree")


def tabled_lines() -> list[str]:
    return [
        *bodies.AKS_WRITES.values(),
        *bodies.FLEET_WRITES.values(),
        *bodies.BAREMETAL_WRITES.values(),
        bodies.APPROVE,
        *(line for _, line in BODYLESS_WRITES.values()),
        *(line for _, line in KUBECONFIG_DRY_RUNS.values()),
    ]


def test_every_arm_write_command_is_in_a_write_table() -> None:
    writers = {path for path, writes in arm_commands().items() if writes}
    assert writers, "the tree has no ARM write command: the Azure flag block was not found"
    tabled = {command_of(line, writers | ARM_READS) for line in tabled_lines()}
    missing = sorted(writers - tabled)
    assert missing == [], (
        f"ARM write commands in no table: {missing}; add a line to AKS_WRITES/FLEET_WRITES/BAREMETAL_WRITES"
        " (test_arm_write_bodies.py) if its --dry-run prints a body, else to BODYLESS_WRITES (KUBECONFIG_DRY_RUNS"
        " if it sends only a credentials read)"
    )


def test_every_table_line_runs_an_arm_write_command() -> None:
    writers = {path for path, writes in arm_commands().items() if writes}
    known = {path for path, _ in _commands()}
    stale = sorted({line for line in tabled_lines() if command_of(line, known) not in writers})
    assert stale == []


def test_an_arm_command_without_a_dry_run_is_one_that_only_reads() -> None:
    readers = {path for path, writes in arm_commands().items() if not writes}
    assert readers == ARM_READS, "give a command that writes --dry-run; list one that only reads in ARM_READS"


def _world(kind: str, emu: ArmEmulator, folder: Path) -> None:
    if kind == "aks":
        seed_cluster(emu)
        assert invoke("nodepool", "add", "gpu", "-c", "aks1", "-g", "rg-ml", "--gpu", "a100").exit_code == 0
    elif kind == "aks-running":  # an operation runs on the cluster and its pool: what an abort stops
        rid = seed_cluster(
            emu, provisioningState="Upgrading", pools=[{"name": "system", "provisioningState": "Upgrading"}]
        )
        emu.begin_operation(rid)
        emu.begin_operation(f"{rid}/agentPools/system")
    elif kind == "fleet":
        armworld.make_fleet(emu)
        armworld.seed_member(emu, "gpu", armworld.aks_id(emu, "aks-gpu"), "cloud")
        armworld.ok(*shlex.split(f"fleet rollout strategy create s1 {F} --stage 'one;groups=cloud'"))
        armworld.ok(*shlex.split(f"fleet rollout create up-1 {F} -k 1.34.2 --strategy s1"))
        armworld.ok(*shlex.split(f"fleet autoupgrade create au {F} --channel Stable"))
    else:
        bodies.baremetal_world(emu, folder)


def _sent(emu: ArmEmulator) -> list[Any]:
    return [e for e in emu.request_log if e.method != "GET" and "/oauth2/" not in e.path]


@pytest.mark.parametrize("case", list(BODYLESS_WRITES))
def test_a_bodyless_write_prints_no_body(
    azure_env: ArmEmulator, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kind, line = BODYLESS_WRITES[case]
    _world(kind, azure_env, tmp_path)
    before = len(_sent(azure_env))
    result = invoke(*shlex.split(line), "--dry-run")
    assert result.exit_code == 0, result
    printed: Any = YAML(typ="safe").load(result.stdout)  # YAML or JSON, as the command prints by default
    requests = printed if isinstance(printed, list) else [printed]
    assert requests and all(r["method"] in ("PUT", "PATCH", "POST", "DELETE") for r in requests), requests
    with_body = [f"{r['method']} {r['url']}" for r in requests if r.get("body") is not None]
    assert with_body == [], "a write with a body: move this line to the body tables of test_arm_write_bodies.py"
    assert len(_sent(azure_env)) == before


@pytest.mark.parametrize("case", list(KUBECONFIG_DRY_RUNS))
def test_a_kubeconfig_dry_run_sends_only_a_credentials_read(
    azure_env: ArmEmulator, case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    kind, line = KUBECONFIG_DRY_RUNS[case]
    _world(kind, azure_env, tmp_path)
    before = len(_sent(azure_env))
    result = invoke(*shlex.split(line), "--dry-run")
    assert result.exit_code == 0, result
    sent = _sent(azure_env)[before:]
    assert sent and all(e.method == "POST" and e.path.rsplit("/", 1)[-1].startswith("list") for e in sent), sent
    assert all(not e.body for e in sent)
