"""What share of a cluster command the official ``kubernetes`` client's import is (#16 item 6).

``import kubernetes`` (any submodule runs the package's ``__init__``, which imports every API
class and model) against a whole ``akscli apply -f`` of one ConfigMap on the emulator, and
``kubectl apply --server-side`` of the same in the same run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import AKSCLI, KUBECTL, compile_bytecode, median_seconds
from tests.bench.bench_foundation import manifests
from tests.emulators.kube.emulator import KubeEmulator

RUNS = 7


def main() -> None:
    compile_bytecode()
    bare = median_seconds([sys.executable, "-c", "pass"], RUNS)
    kube_import = median_seconds([sys.executable, "-c", "import kubernetes.client"], RUNS) - bare
    emu = KubeEmulator(tls=True, record_requests=False).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = emu.write_kubeconfig(Path(tmp) / "kubeconfig", "emulator", "default")
            env = dict(os.environ, KUBECONFIG=str(kubeconfig), AKSCLI_AUDIT_LOG=str(Path(tmp) / "audit.jsonl"))
            one = Path(tmp) / "one.yaml"
            one.write_text(manifests("one", 1))
            ours = median_seconds([AKSCLI, "apply", "-f", str(one), "-y"], RUNS, env=env)
            peer = median_seconds([KUBECTL, "apply", "--server-side", "-f", str(one)], RUNS, env=env) if KUBECTL else 0
    finally:
        emu.stop()
    print(
        f"import kubernetes.client: {kube_import * 1000:,.0f} ms, {kube_import / ours:.0%} of akscli apply of one "
        f"object ({ours * 1000:,.0f} ms, median of {RUNS})"
        + (f"; kubectl apply --server-side {peer * 1000:,.0f} ms, ratio {ours / peer:.2f}x" if peer else "")
    )


if __name__ == "__main__":
    main()
