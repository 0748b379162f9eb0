"""nccl-tests output in every released format: the table, the ranks, and what makes a run a failure.

The logs in data/nccl-tests follow the printf formats of each NVIDIA/nccl-tests release (see the
README there)."""

from __future__ import annotations

from pathlib import Path

import pytest

from akscli.baremetal import nccl_expected, nccl_output

LOGS = Path(__file__).parent / "data" / "nccl-tests"
GIB8 = 8 * 1024**3
COMPLETE = [
    "v1.0.0.log",
    "v2.11.0.log",
    "v2.13.0.log",
    "v2.16.0.log",
    "v2.19.6.log",
    "v2.19.6-timestamps.log",
    "v2.19.6-per-iteration.log",
]


def _parse(name: str) -> nccl_output.NcclResult:
    return nccl_output.parse((LOGS / name).read_text(encoding="utf-8").splitlines())


@pytest.mark.parametrize("name", COMPLETE)
def test_every_row_of_every_released_format_is_read(name: str) -> None:
    result = _parse(name)
    assert [r.size_bytes for r in result.rows] == [128 * 1024**2 * 2**i for i in range(7)]


@pytest.mark.parametrize("name", COMPLETE)
def test_every_released_format_lists_its_ranks_and_finishes(name: str) -> None:
    result = _parse(name)
    assert (result.ranks, result.hosts, result.finished) == (16, ["gpu-node-a", "gpu-node-b"], True)


@pytest.mark.parametrize(
    ("name", "peak"),
    [("v1.0.0.log", 93.12), ("v2.11.0.log", 186.24), ("v2.19.6-per-iteration.log", 372.48)],
)
def test_the_peak_is_the_bus_bandwidth_column_whatever_the_format(name: str, peak: float) -> None:
    assert _parse(name).peak_busbw_gbps == pytest.approx(peak)


def test_a_slow_runs_largest_row_printed_with_an_exponent_is_read() -> None:
    # v2.18.0 on print a time that does not fit 7 characters as "1.7e+07" (src/util.cu getFloatStr).
    result = _parse("v2.19.6-slow.log")
    largest = max(result.rows, key=lambda r: r.size_bytes)
    assert (largest.size_bytes, largest.time_us) == (GIB8, 1.7e07)


def test_a_wrong_count_printed_with_an_exponent_is_counted() -> None:
    # "%6g" of 1048576 wrong elements is "1.04858e+06"
    largest = _parse("v2.19.6-wrong.log").rows[-1]
    assert (largest.wrong, largest.in_place_wrong) == (1048580, 1048580)


def test_a_run_with_wrong_results_fails_whatever_its_bandwidth() -> None:
    verdict = nccl_expected.judge(_parse("v2.19.6-wrong.log"), vm_size="Standard_ND96isr_H100_v5", nodes=2, ranks=16)
    assert not verdict.passed
    assert "wrong results (2097160 wrong, 32 out of bounds)" in verdict.message


def test_the_deviation_column_of_releases_before_2_13_is_not_a_wrong_count() -> None:
    # v2.0.0-v2.11.0 print the largest deviation ("2e-07"); only "Out of bounds values" judges the data.
    result = _parse("v2.11.0.log")
    verdict = nccl_expected.judge(result, vm_size=None, nodes=2, ranks=16)
    assert (result.wrong, result.out_of_bounds, verdict.passed) == (0, 0, True), verdict.message


def test_a_run_whose_data_was_not_checked_fails() -> None:
    verdict = nccl_expected.judge(_parse("v2.19.6-no-check.log"), vm_size="Standard_ND96isr_H100_v5", nodes=2, ranks=16)
    assert not verdict.passed
    assert "did not check its results" in verdict.message


def test_a_run_where_a_rank_died_fails_and_says_where_the_table_stopped() -> None:
    verdict = nccl_expected.judge(
        _parse("v2.19.6-rank-died.log"), vm_size="Standard_ND96isr_H100_v5", nodes=2, ranks=16
    )
    assert not verdict.passed
    assert "stopped after the 1073741824-byte row, before its summary" in verdict.message
    assert "exited on signal 9" in verdict.message or "non-zero exit code" in verdict.message


def test_an_average_below_the_minimum_nccl_tests_was_given_fails() -> None:
    # NCCL_TESTS_MIN_BW: the footer says FAILED under 90% of it (src/util.cu writeResultFooter).
    text = (LOGS / "v2.19.6.log").read_text(encoding="utf-8")
    text = text.replace("# Avg bus bandwidth    : 350.256 ", "# Avg bus bandwidth    : 350.256 FAILED")
    verdict = nccl_expected.judge(nccl_output.parse(text.splitlines()), vm_size=None, nodes=2, ranks=16)
    assert not verdict.passed
    assert "below 90% of the NCCL_TESTS_MIN_BW" in verdict.message


@pytest.mark.parametrize(
    "line",
    [
        " .. gpu-node-a pid 2210: Test failure common.cu:1188",  # src/common.h TESTCHECK
        "gpu-node-b: Test timeout (300s) common.cu:523",  # src/common.cu testStreamSynchronize
    ],
)
def test_a_log_without_a_table_names_the_nccl_tests_failure(line: str) -> None:
    verdict = nccl_expected.judge(nccl_output.parse([line]), vm_size=None, nodes=2, ranks=16)
    assert not verdict.passed
    assert line.strip() in verdict.message
