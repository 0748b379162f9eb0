"""nccl-tests output parsing and the verdict against the expected bus bandwidth per VM size."""

from __future__ import annotations

import pytest

from akscli.baremetal import nccl, nccl_expected, nccl_output
from akscli.errors import UsageError
from tests.emulators.kube.controllers.nccl_tests_log import nccl_log

H100 = "Standard_ND96isr_H100_v5"
G16 = 16 * 1024**3  # the one size of Azure's check on ND H100 v5 (conf/nd96isr_h100_v5.conf: ... 460.0 1 16G)


def _judged_log(hosts: list[str], peak: float, **kw: int) -> list[str]:
    """all_reduce_perf -b 16G -e 16G, the run akscli judges on an ND H100 v5."""
    return nccl_log(hosts, gpus_per_node=8, peak_busbw=peak, min_bytes=G16, max_bytes=G16, **kw).splitlines()


def test_parse_reads_every_row_of_the_table() -> None:
    result = nccl_output.parse(nccl_log(["node-0", "node-1"], gpus_per_node=8, peak_busbw=381.7).splitlines())
    assert len(result.rows) == 31  # 8 B .. 8 GiB, factor 2
    assert result.rows[0].size_bytes == 8
    assert result.rows[-1].size_bytes == 8 * 1024**3


def test_peak_bus_bandwidth_is_taken_at_the_largest_message() -> None:
    result = nccl_output.parse(nccl_log(["node-0", "node-1"], gpus_per_node=8, peak_busbw=381.7).splitlines())
    assert result.peak_busbw_gbps == pytest.approx(381.7, abs=0.01)


def test_parse_counts_ranks_and_hosts() -> None:
    result = nccl_output.parse(nccl_log(["node-0", "node-1"], gpus_per_node=8, peak_busbw=300).splitlines())
    assert result.ranks == 16
    assert result.hosts == ["node-0", "node-1"]


def test_parse_reads_the_average_and_out_of_bounds_lines() -> None:
    result = nccl_output.parse(nccl_log(["n0"], gpus_per_node=8, peak_busbw=470.0).splitlines())
    assert result.avg_busbw_gbps is not None and result.avg_busbw_gbps > 0
    assert result.out_of_bounds == 0


def test_multi_node_h100_at_expected_bandwidth_passes() -> None:
    result = nccl_output.parse(_judged_log(["a", "b"], 381.7))
    verdict = nccl_expected.judge(result, vm_size="Standard_ND96isr_H100_v5", nodes=2)
    assert verdict.passed
    assert verdict.expected_busbw_gbps == 380.0


def test_multi_node_h100_below_expected_bandwidth_fails() -> None:
    result = nccl_output.parse(_judged_log(["a", "b"], 92.45))
    verdict = nccl_expected.judge(result, vm_size="Standard_ND96isr_H100_v5", nodes=2)
    assert not verdict.passed
    assert "92.4 GB/s average bus bandwidth at 16G is below the 380.0 GB/s expected" in verdict.message


def test_single_node_uses_the_nvlink_figure() -> None:
    result = nccl_output.parse(_judged_log(["a"], 470.0))
    verdict = nccl_expected.judge(result, vm_size="standard_nd96isr_h100_v5", nodes=1)
    assert (verdict.passed, verdict.expected_busbw_gbps) == (True, 460.0)


def test_wrong_results_fail_whatever_the_bandwidth() -> None:
    result = nccl_output.parse(nccl_log(["a", "b"], gpus_per_node=8, peak_busbw=400.0, wrong=3).splitlines())
    verdict = nccl_expected.judge(result, vm_size="Standard_ND96isr_H100_v5", nodes=2)
    assert not verdict.passed
    assert "wrong results" in verdict.message


def test_log_without_a_table_is_a_failure_naming_the_nccl_error() -> None:
    lines = [
        "node-0: Test NCCL failure common.cu:1005 'unhandled system error'",
        "mpirun detected that one "
        "or more processes exited with non-zero status, thus causing the job to be terminated (abort)",
    ]
    verdict = nccl_expected.judge(nccl_output.parse(lines), vm_size="Standard_ND96isr_H100_v5", nodes=2)
    assert not verdict.passed
    assert "unhandled system error" in verdict.message


def test_unknown_size_reports_the_figure_without_judging() -> None:
    result = nccl_output.parse(nccl_log(["a", "b"], gpus_per_node=4, peak_busbw=20.0).splitlines())
    verdict = nccl_expected.judge(result, vm_size="Standard_NC64as_T4_v3", nodes=2)
    assert verdict.passed and verdict.expected_busbw_gbps is None
    assert "no expected figure" in verdict.message


def test_every_size_with_a_figure_cites_a_source() -> None:
    for info in nccl_expected.interconnects().values():
        if info.busbw_single_node or info.busbw_multi_node:
            assert any(s.startswith("https://") for s in info.sources), info.vm_size


def test_multi_node_figure_is_the_infiniband_floor_of_the_size() -> None:
    # multi_node = gdr floor per HCA (Gb/s) x HCAs / 8 bits: the table must stay consistent with that rule.
    for info in nccl_expected.interconnects().values():
        if info.busbw_multi_node is not None:
            assert info.ib_hcas == 8
            assert info.busbw_multi_node <= (info.ib_per_hca_gbit or 0) * 8 / 8


def _spec(**kw: object) -> nccl.NcclSpec:
    base: dict[str, object] = dict(
        name="nccl-abc123",
        namespace="default",
        nodes=2,
        gpus_per_node=8,
        image=nccl.DEFAULT_IMAGE,
        rdma_resource="rdma/rdma_shared_device_a",
        host_network=True,
        node_selector={},
    )
    base.update(kw)
    return nccl.NcclSpec(**base)  # type: ignore[arg-type]


def test_env_other_than_nccl_or_ucx_is_refused() -> None:
    with pytest.raises(UsageError, match="only NCCL_"):
        nccl.check_spec(_spec(env={"LD_PRELOAD": "/evil.so"}))


def test_max_bytes_must_be_a_byte_count() -> None:
    with pytest.raises(UsageError, match="--max-bytes"):
        nccl.check_spec(_spec(max_bytes="8G; rm -rf /"))


def test_job_runs_one_pod_per_node_with_gpus_and_rdma() -> None:
    objs = nccl.objects(_spec(), run_id="abc123", keypair=("PRIVATE", "ssh-ed25519 AAAA akscli-nccl"))
    assert [o["kind"] for o in objs] == ["Service", "Secret", "ConfigMap", "Job"]
    job = objs[-1]
    assert (job["spec"]["completions"], job["spec"]["parallelism"], job["spec"]["completionMode"]) == (2, 2, "Indexed")
    pod = job["spec"]["template"]["spec"]
    anti = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    limits = pod["containers"][0]["resources"]["limits"]
    assert limits == {"nvidia.com/gpu": 8, "rdma/rdma_shared_device_a": 1}
    assert pod["hostNetwork"] is True


def test_ssh_key_pair_is_fresh_each_run() -> None:
    first, second = nccl.ssh_keypair(), nccl.ssh_keypair()
    assert first[0] != second[0]
    assert first[0].startswith("-----BEGIN OPENSSH PRIVATE KEY-----")
    assert first[1].startswith("ssh-ed25519 ")


def test_a_run_whose_processes_each_tested_alone_fails_and_names_the_mpi_build() -> None:
    # nccl-tests built without MPI=1: under mpirun each process is a one-rank test of its own (README.md,
    # "NCCL tests rely on MPI to work on multiple processes"), each printing "Rank 0" and a table.
    log = nccl_log(["node-0"], gpus_per_node=1, peak_busbw=0.0) + nccl_log(["node-1"], gpus_per_node=1, peak_busbw=0.0)
    verdict = nccl_expected.judge(nccl_output.parse(log.splitlines()), vm_size=None, nodes=2, ranks=2)
    assert not verdict.passed
    assert "ran 1 rank(s) where 2 were launched" in verdict.message and "make MPI=1" in verdict.message


def test_a_run_with_every_launched_rank_is_judged_on_its_bandwidth() -> None:
    result = nccl_output.parse(_judged_log(["a", "b"], 381.7))
    verdict = nccl_expected.judge(result, vm_size="Standard_ND96isr_H100_v5", nodes=2, ranks=16)
    assert verdict.passed, verdict.message


def test_rank_lines_of_releases_before_the_group_column_are_read() -> None:
    lines = [
        "#   Rank  0 Pid   2210 on gpu-node-a device  0 [0x00] Tesla V100-SXM2-16GB",
        "#   Rank  1 Pid   3102 on gpu-node-b device  0 [0x00] Tesla V100-SXM2-16GB",
    ]
    result = nccl_output.parse(lines)
    assert (result.ranks, result.hosts) == (2, ["gpu-node-a", "gpu-node-b"])


# Azure's check: all_reduce_perf -b $MESSAGE_SIZE -f 2 -g 1 -e $MESSAGE_SIZE -c 1, then the "Avg bus bandwidth"
# line's sixth word (Azure/azurehpc-health-checks 0e0a1ac customTests/azure_nccl_allreduce.nhc); that line is the
# mean of the out-of-place and in-place busbw (NVIDIA/nccl-tests src/common.cu BenchTime, main; src/util.cu
# writeResultFooter "# %-20s : %g %s").
ONE_16G_RUN = [
    "#  Rank  0 Group  0 Pid   1001 on     node-0 device  0 [0000:1a:00] NVIDIA H100 80GB HBM3",
    "#       size         count      type   redop    root     time   algbw   busbw #wrong"
    "     time   algbw   busbw #wrong",
    " 17179869184    4294967296     float     sum      -1  65250.1  263.29  468.00      0"
    "  67474.4  254.61  452.00      0",
    "# Out of bounds values : 0 OK",
    "# Avg bus bandwidth    : 458.2 ",
]


def test_the_judged_figure_is_the_average_line_of_the_one_size_run_not_its_best_half() -> None:
    # before: the larger half's 468.0 at the largest size passed against 460
    verdict = nccl_expected.judge(nccl_output.parse(ONE_16G_RUN), vm_size=H100, nodes=1)
    assert (verdict.passed, verdict.measured_busbw_gbps, verdict.expected_busbw_gbps) == (False, 458.2, 460.0)
    assert "458.2 GB/s average bus bandwidth at 16G is below the 460.0 GB/s expected" in verdict.message


def test_a_sweep_is_reported_not_judged_against_the_one_size_figure() -> None:
    # before: FAIL, "92.4 GB/s bus bandwidth is below the 375.0 GB/s expected" (the 8G row of an 8 B - 8G sweep)
    result = nccl_output.parse(nccl_log(["a", "b"], gpus_per_node=8, peak_busbw=92.4).splitlines())
    verdict = nccl_expected.judge(result, vm_size=H100, nodes=2)
    assert (verdict.passed, verdict.expected_busbw_gbps) == (True, None)
    assert "the largest of a 31-size sweep: not judged" in verdict.message and "16G-only run" in verdict.message


def test_the_run_takes_the_message_size_of_azures_check_for_the_size() -> None:
    # conf/nd96asr_v4.conf "check_nccl_allreduce 228.0 1 8G" (A100 40GB); the H100 and H200 v5 confs: 16G
    assert nccl.message_sizes(H100, None) == ("16G", "16G")
    assert nccl.message_sizes("Standard_ND96asr_v4", None) == ("8G", "8G")
    assert nccl.message_sizes("Standard_ND96isr_H200_v5", None) == ("16G", "16G")
    assert nccl.message_sizes("Standard_NC64as_T4_v3", None) == ("8", "8G")  # no figure: a sweep, reported
    assert nccl.message_sizes(H100, "4G") == ("8", "4G")  # --max-bytes: a sweep, reported
    assert nccl_expected.size_bytes("16G") == G16 and nccl_expected.size_bytes("8") == 8
    assert all(
        i.message_size for i in nccl_expected.interconnects().values() if i.busbw_single_node or i.busbw_multi_node
    )


NC80 = "Standard_NC80adis_H100_v5"


def test_nc_sizes_are_judged_on_one_node_against_azures_conf_figures() -> None:
    # Azure/azurehpc-health-checks 2a4d33e conf/nc48ads_a100_v4.conf "check_nccl_allreduce 193.0 1 16G",
    # conf/nc80adis_h100_v5.conf "208.0 1 16G", conf/nc96ads_a100_v4.conf "25 1 8G" (before: no figure, reported)
    rows = {
        r["vm_size"]: (r["single_node_gbps"], r["multi_node_gbps"], r["message"])
        for r in nccl_expected.expected_table()
    }
    nc = ("Standard_NC48ads_A100_v4", NC80, "Standard_NC96ads_A100_v4")
    assert [rows[s] for s in nc] == [(193.0, None, "16G"), (208.0, None, "16G"), (25.0, None, "8G")]
    assert nccl.message_sizes(NC80, None) == ("16G", "16G")
    log = nccl_log(["a"], gpus_per_node=2, peak_busbw=150.0, min_bytes=G16, max_bytes=G16).splitlines()
    verdict = nccl_expected.judge(nccl_output.parse(log), vm_size=NC80, nodes=1)
    assert (verdict.passed, verdict.expected_busbw_gbps) == (False, 208.0)
    assert "at 16G is below the 208.0 GB/s expected for Standard_NC80adis_H100_v5 on 1 node(s)" in verdict.message


def test_an_nc_size_on_two_nodes_is_reported_not_judged_against_its_one_node_figure() -> None:
    # no InfiniBand on NC sizes (../shared/data/azure-gpu-skus.csv; the NC confs have no check_ib_bw_gdr)
    log = nccl_log(["a", "b"], gpus_per_node=2, peak_busbw=3.0, min_bytes=G16, max_bytes=G16).splitlines()
    verdict = nccl_expected.judge(nccl_output.parse(log), vm_size=NC80, nodes=2)
    assert (verdict.passed, verdict.expected_busbw_gbps) == (True, None)
    assert "not judged, Standard_NC80adis_H100_v5 has no InfiniBand and its 208.0 GB/s figure is for one node" in (
        verdict.message
    )


def test_the_rdma_refusal_on_an_nc_size_says_it_has_no_infiniband() -> None:
    # before: "install an RDMA device plugin ('akscli baremetal prepare --rdma'), or pass --rdma-resource none"
    survey = nccl.nccl_nodes.Survey(by_size={NC80: nccl.nccl_nodes.SizeNodes(gpu_nodes=2, usable=2)})
    with pytest.raises(UsageError) as refused:
        nccl.place(_spec(gpus_per_node=2), None, survey)
    assert refused.value.hint == (
        "Standard_NC80adis_H100_v5 has no InfiniBand: pass --rdma-resource none, "
        "and --nodes 1 to judge it against the size's one-node figure"
    )
