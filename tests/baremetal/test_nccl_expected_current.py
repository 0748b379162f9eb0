"""The multi-node figures of data/interconnect.yaml are the GPUDirect RDMA floors Azure's node health checks
set now (Azure/azurehpc-health-checks 0e0a1ac conf/<size>.conf check_ib_bw_gdr, Gb/s per HCA; x 8 HCAs / 8
bits per byte), not the 2023 values the table first copied (375 on ND H100 v5 before c674250, 185.0 on the
ND A100 v4 sizes before d6dde21)."""

from __future__ import annotations

import pytest

from akscli.baremetal import nccl_expected, nccl_output
from tests.emulators.kube.controllers.nccl_tests_log import nccl_log

HEALTH_CHECKS = "https://github.com/Azure/azurehpc-health-checks/blob/0e0a1ac26a64b32ac4dd7632a529638505d3314a/conf/"


@pytest.mark.parametrize(
    ("size", "conf", "gdr_floor"),
    [
        ("Standard_ND96asr_v4", "nd96asr_v4.conf", 180.0),  # line 65: check_ib_bw_gdr 180.0
        ("Standard_ND96amsr_A100_v4", "nd96amsr_a100_v4.conf", 180.0),  # line 65: check_ib_bw_gdr 180.0
        ("Standard_ND96isr_H100_v5", "nd96isr_h100_v5.conf", 380.0),  # line 60: check_ib_bw_gdr 380
    ],
)
def test_the_multi_node_figure_is_the_health_checks_current_gdr_floor(size: str, conf: str, gdr_floor: float) -> None:
    info = nccl_expected.interconnect(size)
    assert info is not None
    assert info.busbw_multi_node == gdr_floor * 8 / 8
    assert HEALTH_CHECKS + conf in info.sources


def test_a_two_node_h100_run_under_the_current_floor_fails() -> None:
    # 377 GB/s passed against the 2023 floor of 375; Azure's check now asks 380 per HCA
    log = nccl_log(["a", "b"], gpus_per_node=8, peak_busbw=377.0, min_bytes=16 * 1024**3, max_bytes=16 * 1024**3)
    verdict = nccl_expected.judge(nccl_output.parse(log.splitlines()), vm_size="Standard_ND96isr_H100_v5", nodes=2)
    assert not verdict.passed
    assert "is below the 380.0 GB/s expected" in verdict.message
