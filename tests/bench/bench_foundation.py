"""Foundation benchmarks, each against kubectl measured in the same run.

1. ``akscli --help`` against ``kubectl version --client`` (start-up).
2. Applying 500 objects: ``akscli apply -f`` against ``kubectl apply --server-side`` on the same
   standalone emulator.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import (
    AKSCLI,
    KUBECTL,
    compile_bytecode,
    median_seconds,
    once,
    ratio_line,
    standalone_emulator,
)

OBJECTS = 500


def manifests(prefix: str, count: int) -> str:
    docs = []
    for index in range(count):
        docs.append(f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {prefix}-{index:04d}
  namespace: default
data:
  index: "{index}"
  payload: "{"x" * 200}"
""")
    return "---\n".join(docs)


def main() -> None:
    if KUBECTL is None:
        print("kubectl not found: the peer is missing, nothing to compare")
        return
    compile_bytecode()
    ours = median_seconds([AKSCLI, "--help"], 21)
    peer = median_seconds([KUBECTL, "version", "--client"], 21)
    print(ratio_line("start-up (akscli --help vs kubectl version --client, median of 21)", ours, peer, "kubectl"))
    ours_full = median_seconds([AKSCLI, "version"], 11)
    print(ratio_line("start-up of a command (akscli version vs kubectl version --client)", ours_full, peer, "kubectl"))
    for command in (["model", "plan", "phi-4"], ["model", "catalog"]):
        ours_offline = median_seconds([AKSCLI, *command], 11)
        label = f"offline command (akscli {' '.join(command)} vs kubectl version --client, target <= 1.5x)"
        print(ratio_line(label, ours_offline, peer, "kubectl"))

    with standalone_emulator() as kubeconfig, tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KUBECONFIG=str(kubeconfig), AKSCLI_AUDIT_LOG=str(Path(tmp) / "audit.jsonl"))
        ours_file = Path(tmp) / "ours.yaml"
        peer_file = Path(tmp) / "peer.yaml"
        ours_file.write_text(manifests("akscli", OBJECTS))
        peer_file.write_text(manifests("kubectl", OBJECTS))
        peer_time, _ = once([KUBECTL, "apply", "--server-side", "-f", str(peer_file)], env=env)
        ours_time, _ = once([AKSCLI, "apply", "-f", str(ours_file), "--stack", "bench"], env=env)
        print(
            ratio_line(
                f"apply {OBJECTS} new objects (akscli apply vs kubectl apply --server-side)",
                ours_time,
                peer_time,
                "kubectl",
            )
        )
        peer_again, _ = once([KUBECTL, "apply", "--server-side", "-f", str(peer_file)], env=env)
        ours_again, _ = once([AKSCLI, "apply", "-f", str(ours_file), "--stack", "bench"], env=env)
        print(ratio_line(f"re-apply {OBJECTS} unchanged objects", ours_again, peer_again, "kubectl"))


if __name__ == "__main__":
    main()
