"""baremetal doctor's pool row where MIG devices or shared replicas are advertised: the units are
not GPUs, so the row says how many of them are MIG or shared beside the VM sizes' GPU count."""

from __future__ import annotations

import json
from typing import Any

from tests.cli import invoke

from .test_gfd_sim_mig import _operator


def test_a_mig_single_pool_names_its_mig_devices_in_json(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "single")
    result = invoke("baremetal", "doctor", "-o", "json")
    [pool] = json.loads(result.stdout)["pools"]
    assert (pool["gpu_capacity"], pool["shared_capacity"], pool["expected_gpus"]) == (56, 56, 8)


def test_a_mig_single_pool_row_says_its_units_are_mig_or_shared(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, "single")
    result = invoke("baremetal", "doctor")
    [row] = [line for line in result.stdout.splitlines() if line.startswith("gpu ")]
    assert "56/56 (56 MIG or shared)" in row


def test_a_whole_gpu_pool_row_has_no_shared_units(kube_emulator: Any, kubeconfig: Any) -> None:
    _operator(kube_emulator, None, split=False)
    result = invoke("baremetal", "doctor", "-o", "json")
    [pool] = json.loads(result.stdout)["pools"]
    assert (pool["gpu_capacity"], pool["shared_capacity"]) == (8, 0)
    assert "MIG or shared" not in invoke("baremetal", "doctor").stdout
