"""An error about a node count names the flag the user typed: az's `--node-count`, `--min-count`,
`--max-count` (upstream: Azure/azure-cli 0088c878 src/azure-cli/azure/cli/command_modules/acs/
_params.py) where those were typed, akscli's `--count`, `--min`, `--max` otherwise."""

from __future__ import annotations

import pytest

from tests.azure.helpers import RG, seed_cluster
from tests.cli import invoke
from tests.emulators.arm import ArmEmulator

POOLS = [
    {"name": "system", "mode": "System", "count": 1, "vmSize": "Standard_D4ds_v5"},
    {"name": "work", "count": 1, "vmSize": "Standard_D8ds_v5"},
]
ADD = ["nodepool", "add", "gpu", "-c", "aks1", "-g", RG, "--vm-size", "Standard_D8ds_v5"]
SCALE = ["nodepool", "scale", "work", "-c", "aks1", "-g", RG]


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            [*ADD, "--min-count", "3", "--max-count", "1"],
            "error: --min-count 3 is larger than --max-count 1",
        ),
        ([*ADD, "--min-count", "2"], "error: the autoscaler needs both --min-count and --max-count"),
        ([*ADD, "--min", "2"], "error: the autoscaler needs both --min and --max"),
        ([*ADD, "--node-count", "5", "--min-count", "0", "--max-count", "2"], "error: invalid --node-count"),
        ([*SCALE, "--min-count", "0", "--max-count", "2000"], "error: invalid --max-count"),
        ([*SCALE, "--node-count", "-1"], "error: invalid --node-count"),
        ([*SCALE, "--node-count", "2", "--min-count", "0", "--max-count", "2"], "error: --min-count/--max-count set"),
        (
            ["cluster", "create", "aks1", "-g", RG, "--sku", "base", "--node-count", "0", "--dry-run"],
            "error: invalid --node-count '0': it must be between 1 and 1000",
        ),
        (
            ["cluster", "create", "aks1", "-g", RG, "--sku", "automatic", "--node-count", "2", "--dry-run"],
            "error: AKS Automatic manages its own system node pools: --node-count cannot be set",
        ),
    ],
    ids=[
        "add-range",
        "add-pair",
        "add-own-names",
        "add-count",
        "scale-max",
        "scale-count",
        "scale-mixed",
        "create",
        "create-automatic",
    ],
)
def test_a_count_error_names_the_flag_typed(azure_env: ArmEmulator, args: list[str], first_line: str) -> None:
    seed_cluster(azure_env, pools=POOLS)
    r = invoke(*args)
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[0].startswith(first_line), r.stderr
    assert [e for e in azure_env.request_log if e.method != "GET"] == []


def test_the_autoscaled_pool_hint_names_the_az_flags_typed(azure_env: ArmEmulator) -> None:
    seed_cluster(azure_env, pools=POOLS)
    assert invoke(*SCALE, "--min", "1", "--max", "3").exit_code == 0
    r = invoke(*SCALE, "--node-count", "2")
    assert r.exit_code == 2, r
    assert r.stderr.splitlines()[1] == ("hint: change --min/--max, or pass --disable-autoscaler with --node-count")
