"""How long the emulator takes to serve a continued page deep in a big store, beside its first
page: the ratio shows whether continuing costs more than starting (it should not).

    python tests/bench/bench_emulator_pages.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.emulators.kube import KubeEmulator


def median_ms(call: object, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    emu = KubeEmulator(crd_dirs=[])
    emu.generate_cluster(nodes=2000, pods=8000, gpu_fraction=0.25)
    rt = emu.api.rt("v1", "Pod")
    _, token, _, _ = emu.api.list_entries(rt, None, None, None, 7000, None)
    first = median_ms(lambda: emu.api.list_entries(rt, None, None, None, 500, None))
    deep = median_ms(lambda: emu.api.list_entries(rt, None, None, None, 500, token))
    print(
        f"emulator pages of 500 pods out of 8000: first {first:.2f} ms, "
        f"after 7000 {deep:.2f} ms, ratio {deep / first:.2f}"
    )


if __name__ == "__main__":
    main()
