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
