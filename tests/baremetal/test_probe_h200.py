"""The H200 recorded with `akscli baremetal probe --record` on a real machine replays as nvidia-smi saw it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from akscli.baremetal import probe
from akscli.baremetal.report import ProbeReport
from tests.cli import invoke

H200_DIR = Path(__file__).parent / "data" / "h200-vm"


def smi(path: str) -> str:
    node = ET.parse(H200_DIR / "nvidia-smi-q.xml").getroot().find(path)
    assert node is not None and node.text is not None, path
    return node.text.strip()


@pytest.fixture
def h200_report() -> ProbeReport:
    return probe.replay(H200_DIR)


def test_recorded_h200_reports_what_nvidia_smi_saw(h200_report: ProbeReport) -> None:
    gpu = h200_report.gpus[0]
    assert h200_report.driver_version == smi("driver_version") == "580.159.04"
    assert h200_report.cuda_version == smi("cuda_version") == "13.0"
    assert gpu.name == smi("gpu/product_name") == "NVIDIA H200"
    assert gpu.uuid == smi("gpu/uuid")
    assert gpu.pci_bus_id == smi("gpu/pci/pci_bus_id")
    assert f"{gpu.memory_total_mib} MiB" == smi("gpu/fb_memory_usage/total") == "143771 MiB"


def test_a_recording_without_persistence_mode_reports_it_unknown(h200_report: ProbeReport) -> None:
    # this recording (akscli's --record before it asked for persistence mode) holds no answer for it
    assert h200_report.gpus[0].persistence_mode is None


def test_recorded_h200_reports_the_pcie_link_nvidia_smi_saw(h200_report: ProbeReport) -> None:
    gpu = h200_report.gpus[0]
    assert str(gpu.pcie_gen) == smi("gpu/pci/pci_gpu_link_info/pcie_gen/current_link_gen") == "5"
    assert f"{gpu.pcie_width}x" == smi("gpu/pci/pci_gpu_link_info/link_widths/current_link_width") == "16x"


def test_recorded_h200_reports_ecc_on_and_mig_off(h200_report: ProbeReport) -> None:
    gpu = h200_report.gpus[0]
    assert (smi("gpu/ecc_mode/current_ecc"), smi("gpu/mig_mode/current_mig")) == ("Enabled", "Disabled")
    assert (gpu.ecc_enabled, gpu.mig_enabled) == (True, False)
    assert (gpu.ecc_volatile_uncorrected, gpu.ecc_aggregate_uncorrected) == (0, 0)


def test_recorded_h200_has_no_nvlink_no_rdma_and_no_anomaly(h200_report: ProbeReport) -> None:
    assert h200_report.gpus[0].nvlink_supported is False
    assert h200_report.rdma == []
    assert h200_report.anomalies == []


def test_recorded_h200_requested_power_limit_is_nvidia_smis_requested_one(h200_report: ProbeReport) -> None:
    # NVML's PowerManagementLimit is the requested limit (DCGM: BOARD_POWER_LIMIT_REQUESTED_WATTS);
    # this recording holds no enforced limit, so that one is unknown, not taken for the other.
    gpu = h200_report.gpus[0]
    assert f"{gpu.power_limit_requested_w:.2f} W" == smi("gpu/gpu_power_readings/requested_power_limit")
    assert gpu.power_limit_enforced_w is None


def test_replay_of_the_h200_recording_prints_its_table() -> None:
    result = invoke("baremetal", "probe", "--replay", str(H200_DIR))
    assert result.exit_code == 0, result
    row = result.stdout.splitlines()[1].split()
    assert row[:5] == ["0", "NVIDIA", "H200", "143771", "MiB"]
    assert row[-3:] == ["off", "not", "supported"]
