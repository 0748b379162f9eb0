"""Reading all_reduce_perf's output: the result table, the rank list and the summary lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NcclRow:
    size_bytes: int
    count: int
    dtype: str
    redop: str
    time_us: float
    algbw_gbps: float
    busbw_gbps: float
    wrong: int | None
    in_place_time_us: float
    in_place_algbw_gbps: float
    in_place_busbw_gbps: float
    in_place_wrong: int | None

    @property
    def best_busbw(self) -> float:
        return max(self.busbw_gbps, self.in_place_busbw_gbps)


@dataclass
class NcclResult:
    rows: list[NcclRow]
    avg_busbw_gbps: float | None
    out_of_bounds: int | None
    ranks: int
    hosts: list[str]
    errors: list[str] = field(default_factory=list)

    @property
    def peak_busbw_gbps(self) -> float | None:
        """Bus bandwidth at the largest message size: the figure that reflects the links."""
        if not self.rows:
            return None
        return max(self.rows, key=lambda r: r.size_bytes).best_busbw

    @property
    def wrong(self) -> int:
        return sum((r.wrong or 0) + (r.in_place_wrong or 0) for r in self.rows)


_ROW = re.compile(
    r"^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\w+)\s+(-?\d+)"
    r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)"
    r"\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\S+)\s*$"
)
# "#  Rank  0 Group  0 Pid   1887 on   worker-1 device  0 [0x8d] NVIDIA H100 80GB HBM3" (nccl-tests
# src/common.cu); releases before the Group column print "#   Rank  0 Pid ..." (NVIDIA/nccl-tests issue 107).
_RANK = re.compile(r"^#\s+Rank\s+(\d+)\s+(?:Group\s+\d+\s+)?Pid\s+\d+\s+on\s+(\S+)\s+device")
_AVG = re.compile(r"^#\s*Avg bus bandwidth\s*:\s*([\d.]+)")
_OOB = re.compile(r"^#\s*Out of bounds values\s*:\s*(\d+)")
_ERROR = re.compile(
    r"(NCCL WARN|NCCL error|Test NCCL failure|Test CUDA failure|mpirun.*(abort|exit)|"
    r"ORTE was unable|\bAborted\b)",
    re.IGNORECASE,
)


def _wrong(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse(lines: Iterable[str]) -> NcclResult:
    """Parse all_reduce_perf output (the table, the rank list and the summary lines)."""
    rows: list[NcclRow] = []
    avg: float | None = None
    oob: int | None = None
    hosts: dict[int, str] = {}
    problems: list[str] = []
    for line in lines:
        line = line.rstrip("\n")
        if m := _ROW.match(line):
            g = m.groups()
            rows.append(
                NcclRow(
                    size_bytes=int(g[0]),
                    count=int(g[1]),
                    dtype=g[2],
                    redop=g[3],
                    time_us=float(g[5]),
                    algbw_gbps=float(g[6]),
                    busbw_gbps=float(g[7]),
                    wrong=_wrong(g[8]),
                    in_place_time_us=float(g[9]),
                    in_place_algbw_gbps=float(g[10]),
                    in_place_busbw_gbps=float(g[11]),
                    in_place_wrong=_wrong(g[12]),
                )
            )
        elif m := _RANK.match(line):
            hosts[int(m.group(1))] = m.group(2)
        elif m := _AVG.match(line):
            avg = float(m.group(1))
        elif m := _OOB.match(line):
            oob = int(m.group(1))
        elif _ERROR.search(line) and len(problems) < 20:
            problems.append(line.strip())
    return NcclResult(
        rows=rows,
        avg_busbw_gbps=avg,
        out_of_bounds=oob,
        ranks=len(hosts),
        hosts=sorted(set(hosts.values())),
        errors=problems,
    )
