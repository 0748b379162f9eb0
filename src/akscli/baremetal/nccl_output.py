"""Reading all_reduce_perf's output: the result table, the rank list and the summary lines.

Every released format is read. upstream: NVIDIA/nccl-tests, the printf formats of src/common.cu and
(from v2.18.0) src/util.cu at each tag:

- v1.0.0: ``size count type op`` then, out-of-place and in-place, ``time(ms) algbw busbw error``;
  the summary lines have no leading ``#``; rank lines have no ``Pid``.
- v2.0.0 to v2.11.0: the same 12 columns (time in us). The error column is the largest deviation
  from the expected values (``%5.0le``, e.g. ``0e+00``), not a count: only "Out of bounds values"
  says whether the data check failed.
- v2.13.0 on: a ``root`` column (13 columns); the check column is ``#wrong``, the number of wrong
  elements summed over the ranks (``%5g``, ``%6g`` from v2.18.0: ``1.23457e+06`` past six digits).
  From v2.18.0 times and bandwidths are printed to fit their width (``1.7e+07`` for a slow run).
- With ``-c 0`` the check column reads ``N/A``; ``-S 1`` (v2.18.0 on) adds a timestamp
  (``%Y-%m-%d %H:%M:%S``); ``-I 1`` (v2.19.4 on) adds ``i_min i_max i_p99 i_cv%`` after each half.
- The footer ("# Out of bounds values : N OK|FAILED", "# Avg bus bandwidth : X [OK|FAILED]") is
  printed once, after the last size: a log without it is a run that did not finish.
"""

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
    # False where the check column reads N/A (all_reduce_perf -c 0): nothing was checked.
    checked: bool = True

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
    # "Avg bus bandwidth : X FAILED": below 90% of NCCL_TESTS_MIN_BW (nccl-tests src/common.cu main).
    avg_below_minimum: bool = False

    @property
    def peak_busbw_gbps(self) -> float | None:
        """Bus bandwidth at the largest message size: the figure that reflects the links."""
        if not self.rows:
            return None
        return max(self.rows, key=lambda r: r.size_bytes).best_busbw

    @property
    def wrong(self) -> int:
        return sum((r.wrong or 0) + (r.in_place_wrong or 0) for r in self.rows)

    @property
    def finished(self) -> bool:
        """The summary was printed: every rank reached the end of the table."""
        return self.avg_busbw_gbps is not None and self.out_of_bounds is not None

    @property
    def checked(self) -> bool:
        return bool(self.rows) and all(r.checked for r in self.rows)


_NUMBER = re.compile(r"^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$")
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_TIME = re.compile(r"^\d\d:\d\d:\d\d$")
# "#  Rank  0 Group  0 Pid   1887 on   worker-1 device  0 [0000:1a:00] NVIDIA H100 80GB HBM3" (v2.13.4 on);
# "#   Rank  0 Pid ..." before the Group column; "#   Rank  0 on ..." in v1.0.0.
_RANK = re.compile(r"^#\s+Rank\s+(\d+)\s+(?:Group\s+\d+\s+)?(?:Pid\s+\d+\s+)?on\s+(\S+)\s+device")
_AVG = re.compile(r"^#?\s*Avg bus bandwidth\s*:\s*(\S+)\s*(OK|FAILED)?")
_OOB = re.compile(r"^#?\s*Out of bounds values\s*:\s*(\d+)")
# upstream: NVIDIA/nccl-tests src/common.h (CUDACHECK, NCCLCHECK, TESTCHECK), src/common.cu ("Test
# timeout"), src/util.cu writeErrors ("# error: "); Open MPI's mpirun when a rank dies or exits non-zero.
_ERROR = re.compile(
    r"(NCCL WARN|NCCL error|Test NCCL failure|Test CUDA failure|: Test failure |Test timeout|^# error: |"
    r"mpirun.*(abort|exit)|ORTE was unable|\bAborted\b|exited on signal|non-zero exit code)",
    re.IGNORECASE,
)


def _number(text: str) -> float | None:
    return float(text) if _NUMBER.match(text) else None


def _count(text: str) -> int | None:
    value = _number(text)
    return int(value) if value is not None else None


def row(line: str) -> NcclRow | None:
    """One line of the result table, in any released format; None for any other line."""
    tokens = line.split()
    if len(tokens) < 12 or not (tokens[0].isdigit() and tokens[1].isdigit()):
        return None
    if not (_WORD.match(tokens[2]) and _WORD.match(tokens[3])):
        return None
    if len(tokens) >= 14 and _DATE.match(tokens[-2]) and _TIME.match(tokens[-1]):
        tokens = tokens[:-2]  # -S 1: the time the row was printed
    rest = tokens[4:]
    legacy = len(rest) == 8  # before v2.13.0: no root column; the check column is a deviation
    if len(rest) in (9, 17):
        rest = rest[1:]  # the root column
    elif not legacy:
        return None
    half = len(rest) // 2  # 4 columns, or 8 with -I 1's per-iteration figures
    out, in_place = rest[:half], rest[half:]
    figures = [_number(t) for t in out[:3] + in_place[:3] + out[4:] + in_place[4:]]
    if any(f is None for f in figures):
        return None
    checks = (out[3], in_place[3])
    if any(c != "N/A" and _number(c) is None for c in checks):
        return None
    time_us, algbw, busbw, ip_time_us, ip_algbw, ip_busbw = (float(f or 0.0) for f in figures[:6])
    wrong = (None, None) if legacy else (_count(checks[0]), _count(checks[1]))
    return NcclRow(
        size_bytes=int(tokens[0]),
        count=int(tokens[1]),
        dtype=tokens[2],
        redop=tokens[3],
        time_us=time_us,
        algbw_gbps=algbw,
        busbw_gbps=busbw,
        wrong=wrong[0],
        in_place_time_us=ip_time_us,
        in_place_algbw_gbps=ip_algbw,
        in_place_busbw_gbps=ip_busbw,
        in_place_wrong=wrong[1],
        checked="N/A" not in checks,
    )


def parse(lines: Iterable[str]) -> NcclResult:
    """Parse all_reduce_perf output (the table, the rank list and the summary lines)."""
    rows: list[NcclRow] = []
    avg: float | None = None
    avg_failed = False
    oob: int | None = None
    hosts: dict[int, str] = {}
    problems: list[str] = []
    for line in lines:
        line = line.rstrip("\n")
        if parsed := row(line):
            rows.append(parsed)
        elif m := _RANK.match(line):
            hosts[int(m.group(1))] = m.group(2)
        elif m := _AVG.match(line):
            avg = _number(m.group(1))
            avg_failed = m.group(2) == "FAILED"
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
        avg_below_minimum=avg_failed,
    )
