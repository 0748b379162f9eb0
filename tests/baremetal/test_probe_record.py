"""akscli baremetal probe --record: what a machine answered, saved so that --replay gives the same report."""

from __future__ import annotations

import ctypes.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from akscli.baremetal import probe, sysfs
from akscli.baremetal.nvml_replay import RecordedNvml
from akscli.baremetal.record import record_host, record_nvml, record_sysfs
from tests.cli import invoke

from .conftest import H100_DIR, eight_gpu_record, h100_record


def replayed(folder: Path) -> dict[str, Any]:
    return probe.replay(folder, node="node-1").to_dict()


def record_and_replay(record: dict[str, Any], folder: Path) -> dict[str, Any]:
    (folder / "host/sys/class").mkdir(parents=True)
    record_host(folder, RecordedNvml(record), sysfs_root=folder / "host")
    return replayed(folder)


def infiniband_tree(root: Path, state: str = "4: ACTIVE") -> Path:
    """/sys/class/infiniband as the kernel lays it out: a link per device to its PCI device's folder."""
    port = root / "sys/devices/pci0000:00/0000:00:05.0/infiniband/mlx5_0/ports/1"
    port.mkdir(parents=True)
    for name, value in {"state": state, "phys_state": "5: LinkUp", "rate": "400 Gb/sec (4X NDR)"}.items():
        (port / name).write_text(value + "\n")
    (port / "link_layer").write_text("InfiniBand\n")
    (root / "sys/class/infiniband").mkdir(parents=True)
    os.symlink("../../devices/pci0000:00/0000:00:05.0/infiniband/mlx5_0", root / "sys/class/infiniband/mlx5_0")
    return root


def test_a_recording_of_the_h100_replays_to_the_same_report(tmp_path: Path) -> None:
    assert record_and_replay(h100_record(), tmp_path) == replayed(H100_DIR)


def test_a_recording_keeps_nvlink_states_versions_and_peers(tmp_path: Path) -> None:
    eight_gpus = eight_gpu_record(active_links=16)
    (tmp_path / "original").mkdir()
    (tmp_path / "original/nvml.json").write_text(json.dumps(eight_gpus))

    assert record_and_replay(eight_gpus, tmp_path / "recorded") == replayed(tmp_path / "original")


def test_a_gpu_that_cannot_be_read_replays_as_the_same_anomaly(tmp_path: Path) -> None:
    two_gpus = eight_gpu_record()
    two_gpus["devices"] = [two_gpus["devices"][0], {"error": "NVMLError_GpuIsLost"}]
    two_gpus["device_count"] = 2

    (tmp_path / "original").mkdir()
    (tmp_path / "original/nvml.json").write_text(json.dumps(two_gpus))

    report = record_and_replay(two_gpus, tmp_path / "recorded")

    assert report == replayed(tmp_path / "original")
    assert [a["scope"] for a in report["anomalies"]] == ["gpu 1"]


def test_an_nvml_that_does_not_start_is_recorded_as_its_error() -> None:
    recording = record_nvml(RecordedNvml({"init_error": "NVMLError_DriverNotLoaded"}))
    assert recording["init_error"] == "NVMLError_DriverNotLoaded"
    assert "devices" not in recording


def test_rdma_ports_recorded_from_sysfs_replay_the_same(tmp_path: Path) -> None:
    host = infiniband_tree(tmp_path, state="1: DOWN")

    listing = sysfs.ListingSysfs.from_listing(record_sysfs(host))

    assert sysfs.read_rdma(listing) == sysfs.read_rdma(sysfs.FsSysfs(host))
    assert [(p.device, p.port, p.state, p.rate) for p in sysfs.read_rdma(listing)] == [
        ("mlx5_0", 1, "DOWN", "400 Gb/sec (4X NDR)")
    ]


def test_a_machine_without_rdma_is_recorded_as_an_empty_infiniband_folder(tmp_path: Path) -> None:
    (tmp_path / "sys/class/infiniband").mkdir(parents=True)
    assert record_sysfs(tmp_path) == "/sys/class/infiniband:\n"


def test_a_sysfs_root_without_sys_class_is_one_usage_error(tmp_path: Path) -> None:
    result = invoke("baremetal", "probe", "--sysfs-root", str(tmp_path / "host"), "--record", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --sysfs-root '{tmp_path / 'host'}' has no sys/class")
    assert not (tmp_path / "r").exists()


def test_record_and_replay_together_is_one_usage_error(tmp_path: Path) -> None:
    result = invoke("baremetal", "probe", "--record", str(tmp_path), "--replay", str(H100_DIR))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --record saves this machine's answers and --replay reads saved ones")
    assert not (tmp_path / "nvml.json").exists()


@pytest.mark.skipif(ctypes.util.find_library("nvidia-ml") is not None, reason="this machine has an NVIDIA driver")
def test_record_on_a_machine_without_a_driver_saves_the_failure_and_replays_it(tmp_path: Path) -> None:
    pytest.importorskip("pynvml")
    live = invoke("baremetal", "probe", "--record", str(tmp_path))

    again = invoke("baremetal", "probe", "--replay", str(tmp_path))

    assert live.exit_code == again.exit_code == 7
    assert "error: cannot probe GPUs: no NVIDIA driver" in live.stderr
    assert again.stderr.startswith("error: cannot probe GPUs: no NVIDIA driver")
