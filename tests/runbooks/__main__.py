"""Try the runbooks locally: ``python -m tests.runbooks [docs/runbooks/FILE.md ...]``, or the
README's short tour: ``python -m tests.runbooks --tour``.

Starts the lab (the Kubernetes API emulator with its operator simulators, and the ARM + Entra
emulator), runs each runbook's bash blocks in order against it, and prints what they printed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from tests import runbooks
from tests.emulators import lab
from tests.runbooks import tour


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.runbooks", description=__doc__)
    parser.add_argument("files", nargs="*", type=Path, help="runbooks (default: all of docs/runbooks)")
    parser.add_argument("--tour", action="store_true", help="run the README's short tour instead (tests.runbooks.tour)")
    args = parser.parse_args(argv)
    failed = 0
    for path in [tour.README] if args.tour else args.files or runbooks.runbooks():
        nap = runbooks.wants_nap(path)
        steps = tour.steps() if args.tour else None
        with tempfile.TemporaryDirectory(prefix="akscli-runbook-") as tmp, lab.running(Path(tmp), nap=nap) as the_lab:
            outcome = runbooks.run(path.resolve(), the_lab.environment(), Path(tmp) / "work", steps=steps)
        sys.stdout.write(outcome.output)
        verdict = "ok" if outcome.returncode == 0 else f"FAILED at step {outcome.failed_step}"
        print(f"=== {path}: {verdict}", flush=True)
        failed += outcome.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
