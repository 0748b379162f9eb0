"""nccl-tests' all_reduce_perf output, as the launcher pod of akscli's NCCL test prints it (moved out of nvidia.py)."""

from __future__ import annotations


def nccl_size(text: str) -> int:
    """-b/-e as all_reduce_perf reads them: K, M, G are powers of 1024 (NVIDIA/nccl-tests src/common.cu parsesize)."""
    units = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:].upper(), 1)
    return int(text[:-1] if units > 1 else text) * units


def nccl_log(
    hosts: list[str],
    *,
    gpus_per_node: int,
    peak_busbw: float,
    wrong: int = 0,
    min_bytes: int = 8,
    max_bytes: int = 8 * 1024**3,
) -> str:
    """What all_reduce_perf prints for ``-b min -e max -f 2 -g 1`` with one rank per GPU."""
    ranks = len(hosts) * gpus_per_node
    lines = [
        f"# nThread 1 nGpus 1 minBytes {min_bytes} maxBytes {max_bytes} step: 2(factor) warmup iters: 5 "
        "iters: 20 agg iters: 1 validation: 1 graph: 0",
        "#",
        "# Using devices",
    ]
    rank = 0
    for host in hosts:
        for dev in range(gpus_per_node):
            lines.append(
                f"#  Rank {rank:2d} Group  0 Pid {1000 + rank:6d} on {host:>10} device {dev:2d} "
                f"[0x{0x1A + dev:02x}] NVIDIA H100 80GB HBM3"
            )
            rank += 1
    lines += [
        "#",
        "#                                                              out-of-place                       in-place",
        "#       size         count      type   redop    root     time   algbw   busbw #wrong"
        "     time   algbw   busbw #wrong",
        "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)",
    ]
    factor = 2 * (ranks - 1) / ranks if ranks > 1 else 1.0
    half = 64 * 1024**2  # message size at which the links reach half their bandwidth
    total = 0.0
    rows = 0
    size = min_bytes
    while size <= max_bytes:
        shape = (size / (size + half)) / (max_bytes / (max_bytes + half))
        busbw = peak_busbw * shape
        algbw = busbw / factor
        time_us = max(size / (algbw * 1e9) * 1e6, 20.0) if algbw > 0 else 20.0
        algbw = size / (time_us * 1e-6) / 1e9
        busbw = algbw * factor if size < max_bytes else peak_busbw
        ip_busbw = busbw * 0.998 if size < max_bytes else peak_busbw - 0.05
        ip_algbw = ip_busbw / factor
        bad = wrong if size == max_bytes else 0
        lines.append(
            f"{size:12d}  {size // 4:12d}     float     sum      -1  {time_us:7.2f}  {algbw:6.2f}  "
            f"{busbw:6.2f}  {bad:5d}  {time_us * 1.002:7.2f}  {ip_algbw:6.2f}  {ip_busbw:6.2f}  {bad:5d}"
        )
        # upstream: NVIDIA/nccl-tests src/common.cu BenchTime adds each half's busbw ("args->bw[0] += busBw;
        # args->bw_count[0]++"), out-of-place and in-place; main prints bw[0] / bw_count[0] as the average.
        total += busbw + ip_busbw
        rows += 2
        size *= 2
    lines += [
        f"# Out of bounds values : {wrong} {'OK' if not wrong else 'FAILED'}",
        f"# Avg bus bandwidth    : {total / rows:.4f} ",
        "#",
        "",
    ]
    return "\n".join(lines)
