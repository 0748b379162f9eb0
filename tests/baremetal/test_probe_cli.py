"""akscli baremetal probe, end to end through the CLI."""

from __future__ import annotations

import ctypes.util
import json
import re
import sys
from pathlib import Path

import pytest

from tests.cli import invoke

from .conftest import H100_DIR


def test_replay_prints_the_recorded_h100_as_a_table() -> None:
    result = invoke("baremetal", "probe", "--replay", str(H100_DIR))
    assert result.exit_code == 0, result
    header, row = result.stdout.splitlines()
    assert re.split(r"\s{2,}", header) == [
        "GPU",
        "NAME",
        "MEMORY",
        "DRIVER",
        "CUDA",
        "CC",
        "ECC",
        "ECC ERRORS",
        "REMAPPED ROWS",
        "PCIE",
        "MIG",
        "NVLINK",
    ]
    assert row.split() == [
        "0",
        "NVIDIA",
        "H100",
        "80GB",
        "HBM3",
        "81559",
        "MiB",
        "580.159.04",
        "13.0",
        "9.0",
        "on",
        "0",
        "0c/0u",
        "gen5",
        "x16",
        "off",
        "not",
        "supported",
    ]
    assert "no devices in /sys/class/infiniband" in result.stderr


def test_replay_as_json_is_the_probe_report() -> None:
    result = invoke("baremetal", "probe", "--replay", str(H100_DIR), "--node-name", "aks-gpu-0", "-o", "json")
    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert (report["node"], report["driver_version"], report["cuda_version"]) == ("aks-gpu-0", "580.159.04", "13.0")
    assert report["gpus"][0]["nvlink_supported"] is False
    assert report["rdma"] == []


def test_replay_of_a_missing_directory_is_a_usage_error(tmp_path: object) -> None:
    result = invoke("baremetal", "probe", "--replay", "/nonexistent/recording")
    assert result.exit_code == 2
    assert "--replay takes a folder" in result.stderr


def test_replay_given_the_recording_file_says_it_takes_the_folder() -> None:
    result = invoke("baremetal", "probe", "--replay", str(H100_DIR / "nvml.json"))
    assert result.exit_code == 2
    assert "--replay takes a folder holding nvml.json" in result.stderr
    assert "h100-80gb-hbm3-vm" in result.stderr


def test_replay_of_a_folder_without_a_recording_names_what_is_missing(tmp_path: Path) -> None:
    result = invoke("baremetal", "probe", "--replay", str(tmp_path))
    assert result.exit_code == 2
    assert "has no nvml.json recording" in result.stderr


@pytest.mark.skipif(ctypes.util.find_library("nvidia-ml") is not None, reason="this machine has an NVIDIA driver")
def test_probe_on_a_machine_without_a_driver_exits_7_without_a_traceback() -> None:
    result = invoke("baremetal", "probe")
    assert result.exit_code == 7
    assert result.stderr.startswith("error: cannot probe GPUs: no NVIDIA driver")
    assert "Traceback" not in result.stderr


def test_probe_without_the_bindings_exits_7(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    result = invoke("baremetal", "probe")
    assert result.exit_code == 7
    assert "nvidia-ml-py" in result.stderr


def test_unknown_output_format_is_refused() -> None:
    result = invoke("baremetal", "probe", "--replay", str(H100_DIR), "-o", "csv")
    assert result.exit_code == 2


def test_custom_columns_read_one_row_per_gpu() -> None:
    # the probe's rows are its GPUs; applied to the whole report every cell was <none>
    result = invoke("baremetal", "probe", "--replay", str(H100_DIR), "-o", "custom-columns=GPU:.index,NAME:.name")
    assert result.exit_code == 0, result
    assert [line.split(maxsplit=1) for line in result.stdout.splitlines()] == [
        ["GPU", "NAME"],
        ["0", "NVIDIA H100 80GB HBM3"],
    ]


def test_wide_prints_the_table_not_the_report_flattened() -> None:
    table = invoke("baremetal", "probe", "--replay", str(H100_DIR))
    wide = invoke("baremetal", "probe", "--replay", str(H100_DIR), "-o", "wide")
    assert wide.exit_code == 0, wide
    # the table's columns and the power limit (-o wide's one more column), not the report flattened
    [header, row], [wide_header, wide_row] = (t.stdout.splitlines() for t in (table, wide))
    assert wide_header.split() == [*header.split(), "POWER", "LIMIT"]
    assert wide_row.split() == [*row.split(), "700", "W", "requested"]


def test_output_help_offers_no_name_which_the_probe_does_not_print() -> None:
    result = invoke("baremetal", "probe", "--help")
    assert "|name|" not in " ".join(result.stdout.split())
    assert invoke("baremetal", "probe", "--replay", str(H100_DIR), "-o", "name").exit_code == 2


def test_blocking_anomalies_are_named_in_the_one_error_line_and_only_warnings_are_warned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two GPUs with an NVLink link down (errors, they block GPU work) and one with ECC off (a
    # warning): the warning is a warning: line; the blocking ones are the one error: line, exit 9.
    from akscli.baremetal import probe
    from akscli.baremetal.nvml_replay import RecordedNvml

    from .conftest import eight_gpu_record, ib_sysfs

    record = eight_gpu_record()
    for device in record["devices"][:2]:
        device["nvlink"][0]["state"] = 0
    record["devices"][7]["ecc_mode"] = [0, 0]
    report = probe.probe(RecordedNvml(record), ib_sysfs(), node="gpu-host", kernel="6.8")
    monkeypatch.setattr(probe, "probe_host", lambda *_a, **_k: report)
    result = invoke("baremetal", "probe")
    assert result.exit_code == 9, result
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith(("warning:", "error:"))] == [
        "warning: gpu 7: ECC is off (fix: enable it with 'nvidia-smi -e 1' and reset the GPU)",
        "error: 2 blocking anomalies on this machine: gpu 0: 1 of 18 NVLink links are down (links 0), "
        "gpu 1: 1 of 18 NVLink links are down (links 0)",
    ]
    assert lines[-1].startswith("hint: fix (gpu 0): ") and lines[-1].endswith("lists every anomaly with its fix")
