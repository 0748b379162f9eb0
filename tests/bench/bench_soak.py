"""Fault-injection soak: how many of 20 seeds of 500 objects converge (429, 5xx, dropped
connections and lost responses, faults left on during the re-runs), duplicates, and time.

Run: python tests/bench/bench_soak.py [SEEDS] [OBJECTS]   (or nox -s bench -- soak)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.soak import soak


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 500
    results, seconds = soak(seeds, count)
    converged = sum(r.converged for r in results)
    duplicates = sum(r.duplicates for r in results)
    faults = sum(r.faults for r in results)
    runs = max(r.runs for r in results)
    print(
        f"soak: {converged}/{seeds} seeds of {count} objects converged, {duplicates} duplicates, "
        f"{faults} faults injected, at most {runs} runs per seed, {seconds:.1f} s"
    )
    for r in results:
        if not r.converged:
            print(f"  seed {r.seed}: not converged after {r.runs} runs: {', '.join(r.wrong[:5])}")


if __name__ == "__main__":
    main()
