"""baremetal probe: the power limits (requested and enforced, as DCGM names them) and persistence
mode, read from NVML and judged as DCGM's diagnostic judges them (warnings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from akscli.baremetal import probe
from akscli.baremetal.report import Anomaly, report_from_dict
from tests.cli import invoke

from .conftest import H100_DIR, h100_record
from .test_probe import smi


def _replay(tmp_path: Path, **device: Any) -> Any:
    """The recorded H100 with some of its NVML answers changed."""
    record = h100_record()
    record["devices"][0].update(device)
    (tmp_path / "nvml.json").write_text(json.dumps(record))
    return probe.replay(tmp_path, node="node-1")


def test_recorded_h100_reports_the_requested_power_limit_nvidia_smi_names_requested() -> None:
    gpu = probe.replay(H100_DIR).gpus[0]
    assert f"{gpu.power_limit_requested_w:.2f} W" == smi("gpu/gpu_power_readings/requested_power_limit")
    # The recording was made before akscli asked NVML for the enforced limit: unknown, not 700 W.
    assert gpu.power_limit_enforced_w is None


def test_the_enforced_power_limit_is_read_from_nvml(tmp_path: Path) -> None:
    gpu = _replay(tmp_path, enforced_power_limit_mw=700000).gpus[0]
    assert (gpu.power_limit_requested_w, gpu.power_limit_enforced_w) == (700.0, 700.0)


def test_an_enforced_power_limit_below_the_requested_one_is_a_warning(tmp_path: Path) -> None:
    report = _replay(tmp_path, enforced_power_limit_mw=500000)
    assert report.anomalies == [
        Anomaly(
            "gpu 0",
            "warning",
            "the enforced power limit is 500 W, below the 700 W requested: another limiter caps the GPU "
            "(such as the host's out-of-band power limit)",
            "ask the hardware provider about the host's power cap; 'nvidia-smi -q -d POWER' shows the limits",
        )
    ]


def test_persistence_mode_off_is_a_warning_with_dcgms_fix(tmp_path: Path) -> None:
    report = _replay(tmp_path, persistence_mode=0)
    assert report.anomalies == [
        Anomaly("gpu 0", "warning", "persistence mode is disabled", "enable it as root: nvidia-smi -i 0 -pm 1")
    ]


def test_persistence_mode_unknown_is_not_judged(tmp_path: Path) -> None:
    record = h100_record()
    del record["devices"][0]["persistence_mode"]
    (tmp_path / "nvml.json").write_text(json.dumps(record))
    assert probe.replay(tmp_path).anomalies == []


def test_the_wide_table_shows_the_enforced_limit_and_the_requested_one_where_they_differ(tmp_path: Path) -> None:
    record = h100_record()
    record["devices"][0]["enforced_power_limit_mw"] = 500000
    (tmp_path / "nvml.json").write_text(json.dumps(record))
    result = invoke("baremetal", "probe", "--replay", str(tmp_path), "-o", "wide")
    assert result.exit_code == 0, result
    assert result.stdout.splitlines()[1].endswith("500 W (700 W requested)")


def test_a_report_from_an_older_probe_image_keeps_its_power_limit_as_the_requested_one() -> None:
    data = probe.replay(H100_DIR).to_dict()
    gpu = data["gpus"][0]
    gpu["power_limit_w"] = gpu.pop("power_limit_requested_w")
    del gpu["power_limit_enforced_w"]
    read = report_from_dict(data).gpus[0]
    assert (read.power_limit_requested_w, read.power_limit_enforced_w) == (700.0, None)


def test_record_keeps_the_enforced_power_limit_for_the_replay(tmp_path: Path) -> None:
    from akscli.baremetal.nvml_replay import RecordedNvml
    from akscli.baremetal.record import record_host

    record = h100_record()
    record["devices"][0]["enforced_power_limit_mw"] = 500000
    (tmp_path / "host/sys/class").mkdir(parents=True)
    record_host(tmp_path, RecordedNvml(record), sysfs_root=tmp_path / "host")
    assert probe.replay(tmp_path).gpus[0].power_limit_enforced_w == 500.0
