"""The node probe: the recorded H100 replays exactly, and every 'cannot probe' case is one clear error."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from akscli.baremetal import probe, sysfs
from akscli.baremetal.nvml_replay import RecordedNvml
from akscli.baremetal.report import ProbeReport, RdmaPort, report_from_dict
from akscli.errors import NotInstalledError

from .conftest import H100_DIR, eight_gpu_record


def smi(path: str) -> str:
    # The recording ends with the recorder's "[exit 0]" line after the document: cut it off.
    text = (H100_DIR / "nvidia-smi-q.xml").read_text()
    root = ET.fromstring(text[: text.index("</nvidia_smi_log>") + len("</nvidia_smi_log>")])
    node = root.find(path)
    assert node is not None and node.text is not None, path
    return node.text.strip()


@pytest.fixture
def h100_report() -> ProbeReport:
    return probe.replay(H100_DIR)


def test_recorded_h100_reports_what_nvidia_smi_saw(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert h100_report.driver_version == smi("driver_version") == "580.159.04"
    assert h100_report.cuda_version == smi("cuda_version") == "13.0"
    assert gpu.name == smi("gpu/product_name") == "NVIDIA H100 80GB HBM3"
    assert gpu.uuid == smi("gpu/uuid")
    assert gpu.pci_bus_id == smi("gpu/pci/pci_bus_id")
    assert f"{gpu.memory_total_mib} MiB" == smi("gpu/fb_memory_usage/total") == "81559 MiB"


def test_recorded_h100_reports_compute_capability_9_0(h100_report: ProbeReport) -> None:
    assert h100_report.gpus[0].compute_capability == "9.0"


def test_recorded_h100_reports_ecc_on_without_errors(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert smi("gpu/ecc_mode/current_ecc") == "Enabled"
    assert (gpu.ecc_enabled, gpu.ecc_pending_enabled) == (True, True)
    assert (gpu.ecc_volatile_uncorrected, gpu.ecc_aggregate_uncorrected) == (0, 0)
    # This VM answers NotSupported for retired pages: unknown, not "no".
    assert gpu.retired_pages_pending is None


def test_recorded_h100_reports_no_remapped_rows(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert (gpu.remapped_rows_correctable, gpu.remapped_rows_uncorrectable) == (0, 0)
    assert (gpu.remapped_rows_pending, gpu.remapped_rows_failure) == (False, False)
    assert smi("gpu/remapped_rows/remapped_row_pending") == "No"


def test_recorded_h100_reports_pcie_gen5_x16(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert (gpu.pcie_gen, gpu.pcie_gen_max) == (5, 5)
    assert (gpu.pcie_width, gpu.pcie_width_max) == (16, 16)
    assert smi("gpu/pci/pci_gpu_link_info/link_widths/current_link_width") == "16x"


def test_recorded_h100_reports_mig_off(h100_report: ProbeReport) -> None:
    assert (h100_report.gpus[0].mig_enabled, h100_report.gpus[0].mig_pending_enabled) == (False, False)
    assert smi("gpu/mig_mode/current_mig") == "Disabled"


def test_recorded_h100_reports_nvlink_not_supported(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert gpu.nvlink_supported is False
    assert gpu.nvlinks == []


def test_recorded_h100_reports_no_rdma_devices(h100_report: ProbeReport) -> None:
    assert h100_report.rdma == []


def test_recorded_h100_has_no_anomalies(h100_report: ProbeReport) -> None:
    assert h100_report.anomalies == []


def test_report_survives_a_json_round_trip(h100_report: ProbeReport) -> None:
    again = report_from_dict(h100_report.to_dict())
    assert again == h100_report


def test_recorded_h100_reports_persistence_mode_as_nvidia_smi_saw(h100_report: ProbeReport) -> None:
    assert smi("gpu/persistence_mode") == "Enabled"
    assert h100_report.gpus[0].persistence_mode is True


def test_recorded_h100_reports_the_power_limit_and_temperature_nvidia_smi_saw(h100_report: ProbeReport) -> None:
    gpu = h100_report.gpus[0]
    assert f"{gpu.power_limit_requested_w:.2f} W" == smi("gpu/gpu_power_readings/requested_power_limit")
    # This recording holds no enforced limit (nvml.json has no enforced_power_limit_mw): unknown, not 0.
    assert gpu.power_limit_enforced_w is None
    assert f"{gpu.temperature_c} C" == smi("gpu/temperature/gpu_temp") == "35 C"


def test_a_report_from_a_newer_probe_image_is_read_without_the_fields_it_adds(h100_report: ProbeReport) -> None:
    # inventory reads the JSON of whatever probe image --image names, which may be a newer akscli
    newer = h100_report.to_dict()
    newer["gpus"][0]["fabric_state"] = "completed"
    newer["rdma"] = [
        {
            "device": "mlx5_0",
            "port": 1,
            "state": "ACTIVE",
            "physical_state": "LinkUp",
            "rate": "400 Gb/sec (4X NDR)",
            "link_layer": "InfiniBand",
            "guid": "0x1",
        }
    ]
    again = report_from_dict(newer)
    assert (again.gpus, again.rdma[0].device) == (h100_report.gpus, "mlx5_0")


def test_missing_bindings_is_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with pytest.raises(NotInstalledError, match="nvidia-ml-py"):
        probe.load_nvml()


@pytest.mark.parametrize(
    ("init_error", "says"),
    [
        ("NVMLError_LibraryNotFound", "no NVIDIA driver"),
        ("NVMLError_DriverNotLoaded", "not loaded"),
        ("NVMLError_NoPermission", "no permission"),
    ],
)
def test_nvml_that_cannot_start_is_one_clear_error(init_error: str, says: str) -> None:
    nvml = RecordedNvml({"init_error": init_error})
    with pytest.raises(NotInstalledError, match=says) as caught:
        probe.probe(nvml, sysfs.ListingSysfs({}))
    assert caught.value.exit_code == 7


def test_driver_without_gpus_is_not_installed(h100: dict[str, Any]) -> None:
    h100["device_count"] = 0
    h100["devices"] = []
    with pytest.raises(NotInstalledError, match="sees no GPU"):
        probe.probe(RecordedNvml(h100), sysfs.ListingSysfs({}))


def test_lost_gpu_is_an_anomaly_not_a_crash(h100: dict[str, Any]) -> None:
    h100["device_count"] = 2
    h100["devices"].append({"error": "NVMLError_GpuIsLost"})
    report = probe.probe(RecordedNvml(h100), sysfs.ListingSysfs({}))
    assert len(report.gpus) == 1
    assert [(a.scope, a.severity) for a in report.anomalies] == [("gpu 1", "error")]


def test_nvlink_links_are_counted_per_gpu() -> None:
    report = probe.probe(RecordedNvml(eight_gpu_record()), sysfs.ListingSysfs({}))
    assert len(report.gpus) == 8
    assert {g.nvlinks_active for g in report.gpus} == {18}
    assert report.gpus[0].nvlinks[0].version == 4
    assert report.anomalies == []


def test_nvlink_link_down_is_an_error() -> None:
    report = probe.probe(RecordedNvml(eight_gpu_record(active_links=16)), sysfs.ListingSysfs({}))
    assert report.gpus[0].nvlinks_active == 16
    messages = [a.message for a in report.anomalies if a.scope == "gpu 0"]
    assert messages == ["2 of 18 NVLink links are down (links 16, 17)"]


def test_uncorrectable_ecc_errors_and_pending_remap_are_errors(h100: dict[str, Any]) -> None:
    h100["devices"][0]["ecc_volatile_uncorrected"] = 3
    h100["devices"][0]["remapped_rows"] = [0, 1, 1, 0]
    report = probe.probe(RecordedNvml(h100), sysfs.ListingSysfs({}))
    assert [a.message for a in report.anomalies] == [
        "3 uncorrectable ECC errors since the last reset",
        "a row remapping is pending until the GPU is reset",
    ]
    assert {a.severity for a in report.anomalies} == {"error"}


def test_degraded_pcie_width_is_a_warning(h100: dict[str, Any]) -> None:
    h100["devices"][0]["pcie_link_width_current"] = 8
    report = probe.probe(RecordedNvml(h100), sysfs.ListingSysfs({}))
    assert [(a.severity, a.message) for a in report.anomalies] == [
        ("warning", "PCIe link runs at x8, the GPU supports x16")
    ]


def _ib_port(root: Path, device: str, port: int, state: str, rate: str) -> None:
    base = root / "sys/class/infiniband" / device / "ports" / str(port)
    base.mkdir(parents=True)
    (base / "state").write_text(state + "\n")
    (base / "phys_state").write_text("5: LinkUp\n" if "ACTIVE" in state else "3: Disabled\n")
    (base / "rate").write_text(rate + "\n")
    (base / "link_layer").write_text("InfiniBand\n")


def test_rdma_ports_are_read_from_sysfs(tmp_path: Path, h100: dict[str, Any]) -> None:
    _ib_port(tmp_path, "mlx5_0", 1, "4: ACTIVE", "400 Gb/sec (4X NDR)")
    report = probe.probe(RecordedNvml(h100), sysfs.FsSysfs(tmp_path))
    assert report.rdma == [RdmaPort("mlx5_0", 1, "ACTIVE", "LinkUp", "400 Gb/sec (4X NDR)", "InfiniBand")]
    assert report.anomalies == []


def test_rdma_port_down_is_an_error(tmp_path: Path, h100: dict[str, Any]) -> None:
    _ib_port(tmp_path, "mlx5_1", 1, "1: DOWN", "10 Gb/sec (4X SDR)")
    report = probe.probe(RecordedNvml(h100), sysfs.FsSysfs(tmp_path))
    assert [(a.scope, a.message) for a in report.anomalies] == [
        ("mlx5_1/1", "RDMA port is DOWN (physical state Disabled)")
    ]


def test_recorded_listing_holds_the_network_interfaces() -> None:
    listing = sysfs.ListingSysfs.from_listing((H100_DIR / "sysfs.txt").read_text())
    assert listing.listdir("/sys/class/infiniband") == []
    assert listing.listdir("/sys/class/net") == ["eth0", "ifb0", "ifb1", "lo"]
