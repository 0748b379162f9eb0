"""The expected all-reduce figures of each ND/NC size (data/interconnect.yaml) and the verdict of a run
against them: what ``baremetal test nccl`` compares its measured bus bandwidth with, and how."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from akscli import yamlio
from akscli.baremetal.nccl_output import NcclResult

DATA_FILE = Path(__file__).resolve().parents[1] / "data" / "interconnect.yaml"


# ---- interconnect data -----------------------------------------------------------------------


@dataclass(frozen=True)
class Interconnect:
    vm_size: str
    gpus: int
    gpu_model: str
    nvlink_version: int | None
    nvlink_per_gpu_gbps: float | None
    ib_hcas: int | None
    ib_per_hca_gbit: float | None
    ib_generation: str | None
    busbw_single_node: float | None
    busbw_multi_node: float | None
    sources: tuple[str, ...]
    # The one message size of Azure's check (all_reduce_perf -b SIZE -e SIZE), e.g. "16G"; None: no figure.
    message_size: str | None = None

    def expected_busbw(self, nodes: int) -> float | None:
        return self.busbw_single_node if nodes <= 1 else self.busbw_multi_node

    @property
    def message_bytes(self) -> int | None:
        return size_bytes(self.message_size) if self.message_size else None


def size_bytes(text: str) -> int:
    """A -b/-e size as all_reduce_perf reads it: K, M and G are powers of 1024 (upstream: NVIDIA/nccl-tests
    src/common.cu parsesize)."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:].upper(), 1)
    return int(text[:-1] if units > 1 else text) * units


@lru_cache(maxsize=1)
def interconnects() -> dict[str, Interconnect]:
    data = yamlio.load(DATA_FILE.read_text(encoding="utf-8"), str(DATA_FILE)) or {}
    table: dict[str, Interconnect] = {}
    for size, row in (data.get("sizes") or {}).items():
        nvlink = row.get("nvlink") or {}
        ib = row.get("infiniband") or {}
        busbw = row.get("allreduce_busbw_gbps") or {}
        table[size.lower()] = Interconnect(
            vm_size=size,
            gpus=int(row["gpus"]),
            gpu_model=str(row["gpu_model"]),
            nvlink_version=nvlink.get("version"),
            nvlink_per_gpu_gbps=nvlink.get("per_gpu_gbps"),
            ib_hcas=ib.get("hcas"),
            ib_per_hca_gbit=ib.get("per_hca_gbit"),
            ib_generation=ib.get("generation"),
            busbw_single_node=busbw.get("single_node"),
            busbw_multi_node=busbw.get("multi_node"),
            sources=tuple(row.get("sources") or ()),
            message_size=str(row["allreduce_message"]) if row.get("allreduce_message") else None,
        )
    return table


def interconnect(vm_size: str) -> Interconnect | None:
    return interconnects().get(vm_size.lower())


def expected_table() -> list[dict[str, Any]]:
    """Rows for ``baremetal test nccl --list-expected``."""
    return [
        {
            "vm_size": i.vm_size,
            "gpus": i.gpus,
            "gpu_model": i.gpu_model,
            "nvlink": f"NVLink {i.nvlink_version}" if i.nvlink_version else None,
            "infiniband": f"{i.ib_hcas}x {i.ib_per_hca_gbit:g} Gb/s {i.ib_generation}"
            if i.ib_hcas and i.ib_per_hca_gbit
            else None,
            "message": i.message_size,
            "single_node_gbps": i.busbw_single_node,
            "multi_node_gbps": i.busbw_multi_node,
            "sources": list(i.sources),
        }
        for i in interconnects().values()
    ]


# ---- judging a run ---------------------------------------------------------------------------


@dataclass
class Verdict:
    passed: bool
    vm_size: str | None
    nodes: int
    measured_busbw_gbps: float | None
    expected_busbw_gbps: float | None
    ratio: float | None
    message: str
    sources: list[str]
    result: dict[str, Any]


def judge(
    result: NcclResult,
    *,
    vm_size: str | None,
    nodes: int,
    min_ratio: float = 1.0,
    ranks: int | None = None,
    gpus_per_node: int | None = None,
) -> Verdict:
    """Compare the measured bus bandwidth with the figure expected for the VM size.

    ``ranks`` is the number of ranks the run launched. upstream: NVIDIA/nccl-tests README.md ("The total
    number of ranks (=CUDA devices) will be equal to (number of processes)*(number of threads)*(number of GPUs
    per thread)"; "NCCL tests rely on MPI to work on multiple processes ... set MPI=1"): a binary built without
    MPI makes every mpirun process a test of its own, each printing "Rank 0" and its own table, whose figures
    say nothing of the links between nodes."""
    info = interconnect(vm_size) if vm_size else None
    expected = info.expected_busbw(nodes) if info else None
    # The figures are Azure's node health checks' (data/interconnect.yaml), whose check_nccl_allreduce runs
    # all_reduce_perf on every GPU of the node (Azure/azurehpc-health-checks 0078044d customTests/
    # azure_nccl_allreduce.nhc: gpu_count from nvidia-smi --list-gpus, mpirun -np $gpu_count --map-by
    # ppr:$gpu_count:node): a run on fewer GPUs per node is not that test, so it is not judged.
    fewer = info is not None and gpus_per_node is not None and gpus_per_node < info.gpus
    if fewer:
        expected = None
    # Azure's check runs one size (check_nccl_allreduce's MESSAGE_SIZE: NCCL_ARGS="-b $MESSAGE_SIZE -f 2 -g 1
    # -e $MESSAGE_SIZE -c 1") and compares the "Avg bus bandwidth" line (avg_bus_bw=${nccl_allreduce_out_line[5]})
    # with the figure (Azure/azurehpc-health-checks 0e0a1ac customTests/azure_nccl_allreduce.nhc). That line is
    # the mean of the out-of-place and in-place busbw over every size run (NVIDIA/nccl-tests src/common.cu
    # BenchTime "args->bw[0] += busBw", main "bw[0] /= bw_count[0]"), so only a run of that one size is judged.
    sizes = sorted({r.size_bytes for r in result.rows})
    checked_size = info.message_bytes if info else None
    one_size = expected is not None and checked_size is not None and sizes == [checked_size]
    sweep = expected is not None and checked_size is not None and not one_size and bool(sizes)
    if sweep:
        expected = None
    # the largest size's busbw until the summary is read; then, for the one-size run, its average
    measured = result.peak_busbw_gbps
    ratio = measured / expected if measured is not None and expected else None
    raw = {
        "rows": [asdict(r) for r in result.rows],
        "avg_busbw_gbps": result.avg_busbw_gbps,
        "out_of_bounds": result.out_of_bounds,
        "ranks": result.ranks,
        "hosts": result.hosts,
        "errors": result.errors,
        "finished": result.finished,
        "checked": result.checked,
    }
    sources = list(info.sources) if info else []

    def verdict(passed: bool, message: str) -> Verdict:
        # measured, expected and ratio are None where a branch below says so: no figure, or none expected
        return Verdict(passed, vm_size, nodes, measured, expected, ratio, message, sources, raw)

    if measured is None:
        why = result.errors[0] if result.errors else "no result table in the log"
        return verdict(
            False,
            f"the NCCL test produced no bandwidth figure: {why}",
        )
    if ranks is not None and result.ranks and result.ranks != ranks:
        return verdict(
            False,
            f"the NCCL test ran {result.ranks} rank(s) where {ranks} were launched: each process tested alone, "
            "as an all_reduce_perf built without MPI does; use an image whose nccl-tests is built with "
            "'make MPI=1'",
        )
    if not result.finished:
        # upstream: NVIDIA/nccl-tests src/util.cu writeResultFooter, printed once after the last size:
        # without it the table stops where a rank died, and its last row is not the links' figure.
        why = f": {result.errors[0]}" if result.errors else ""
        largest = max(r.size_bytes for r in result.rows)
        return verdict(
            False,
            f"the NCCL test stopped after the {largest}-byte row, before its summary: a rank died or was killed{why}",
        )
    if result.wrong or result.out_of_bounds:
        return verdict(
            False,
            f"the NCCL test returned wrong results ({result.wrong} wrong, "
            f"{result.out_of_bounds or 0} out of bounds): suspect a GPU or a link",
        )
    if not result.checked:
        return verdict(
            False,
            "the NCCL test did not check its results (#wrong reads N/A, as with all_reduce_perf -c 0): "
            "a bandwidth figure from unchecked data proves nothing; run it with the data check on",
        )
    if result.avg_below_minimum:
        return verdict(
            False,
            f"the NCCL test's average bus bandwidth {result.avg_busbw_gbps or 0:g} GB/s is below 90% of "
            "the NCCL_TESTS_MIN_BW it was given",
        )
    if one_size and result.avg_busbw_gbps is not None:
        measured = result.avg_busbw_gbps
        ratio = measured / expected if expected else None
    if sweep and info is not None:
        return verdict(
            True,
            f"measured {measured:.1f} GB/s bus bandwidth at {sizes[-1]} bytes, the largest of a {len(sizes)}-size "
            f"sweep: not judged, the {info.vm_size} figure is the average bus bandwidth of a {info.message_size}-only "
            "run (run without --max-bytes to compare)",
        )
    if expected is None and fewer and info is not None:
        return verdict(
            True,
            f"measured {measured:.1f} GB/s bus bandwidth on {gpus_per_node} of the {info.gpus} GPUs of each "
            f"{info.vm_size}: not judged, the expected figures are for every GPU of the node "
            "(run without --gpus-per-node to compare)",
        )
    if expected is None and nodes > 1 and info is not None and info.busbw_single_node and not info.ib_hcas:
        # Azure's confs give NC sizes a one-node figure only (Azure/azurehpc-health-checks 2a4d33e
        # conf/nc*.conf check_nccl_allreduce; no check_ib_bw_gdr): without InfiniBand, not judged.
        return verdict(
            True,
            f"measured {measured:.1f} GB/s bus bandwidth on {nodes} nodes: not judged, {info.vm_size} has no "
            f"InfiniBand and its {info.busbw_single_node:.1f} GB/s figure is for one node "
            "(run with --nodes 1 to compare)",
        )
    if expected is None:
        size = vm_size or "unknown size"
        return verdict(
            True,
            f"measured {measured:.1f} GB/s bus bandwidth; no expected figure for {size} "
            f"on {nodes} node(s) in data/interconnect.yaml",
        )
    passed = measured >= expected * min_ratio
    verb = "meets" if passed else "is below"
    what = f"average bus bandwidth at {info.message_size}" if one_size and info else "bus bandwidth"
    return verdict(
        passed,
        f"measured {measured:.1f} GB/s {what} {verb} the {expected:.1f} GB/s expected "
        f"for {info.vm_size if info else vm_size} on {nodes} node(s) ({ratio or 0:.0%})",
    )
