"""``akscli model deploy phi-4 --wait``: the requests it sends, counted from the Kubernetes
emulator's request log, with the KAITO and workload controllers making the model ready (#16 item 4).

For each runtime the same model is deployed twice, once without and once with --wait, each on an
emulator of its own started the same way: the difference is what waiting costs, and nothing else
(on one emulator the second deploy met the first one's pods: its size check then read the pods
of more nodes, which counted as the wait's). Waiting must watch, not poll: at most the number of
objects deployed plus three requests. The whole command's requests are printed beside it, split
by kind, and so are kubectl's for the same objects (``kubectl apply --server-side`` and then
``kubectl wait``, which also lists and watches).

The emulator runs in this process so its request log can be read per step; akscli and kubectl
are separate processes talking to it over HTTPS on loopback.
"""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import AKSCLI, KUBECTL, compile_bytecode, once, tool_description, tool_env
from tests.bench.bench_apply import _is_discovery
from tests.emulators.kube.control import RequestRecord
from tests.emulators.kube.controllers import kaito
from tests.emulators.kube.controllers.builtin import builtin_controllers
from tests.emulators.kube.emulator import KubeEmulator
from tests.emulators.kube.profiles import aks_storage_classes, install_kaito_controller
from tests.model._shared import crd_dir

# runtime -> what kubectl waits for on the serving object: the last of the conditions akscli's
# readiness rule waits for (akscli/kube/readiness/kaito.py), and a Deployment's Available.
RUNTIMES = {
    "kaito": ("workspace", "condition=WorkspaceSucceeded"),
    "vllm": ("deployment", "condition=Available"),
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")
# Seconds each controller step takes: long enough that the wait finds the model not ready yet
# and has to watch (a real KAITO Workspace takes minutes), short enough for a quick benchmark.
CONTROLLER_DELAY = 1.0


def _emulator() -> KubeEmulator:
    """KAITO's CRDs, the built-in workload controllers, both KAITO simulators and the pod of the
    KAITO controller that `deploy --wait` checks is running (as tests/model/conftest.py sets up)."""
    emu = KubeEmulator(crd_dirs=[crd_dir() / "kaito"], tls=True, record_requests=True).start()
    for controller in (*builtin_controllers(CONTROLLER_DELAY, None), *kaito.controllers(delay=CONTROLLER_DELAY)):
        emu.controllers.add(controller)
    install_kaito_controller(emu)
    aks_storage_classes(emu)  # the vLLM deploys' weights class, as on AKS (model deploy refuses a missing one)
    return emu


def _add_vllm_nodes(emu: KubeEmulator) -> None:
    """A GPU pool of the plan's size for the vLLM deploy: a vLLM pod pinned to the size needs a free
    GPU (KAITO's simulator provisions its own nodes, as gpu-provisioner would)."""
    from tests.baremetal.nodes import NC_A100, node

    for index in range(3):
        emu.cluster.create(node(f"aks-vllm-{index}", pool="vllm", size=NC_A100, gpus=1))


def _sent(emu: KubeEmulator, command: list[str], env: dict[str, str]) -> list[RequestRecord]:
    before = len(emu.request_log)
    once(command, env=env)
    time.sleep(0.3)  # a watch is logged when it closes, just after the command ends
    return list(emu.request_log[before:])


def _split(sent: list[RequestRecord]) -> dict[str, int]:
    """Requests by kind; ``polled`` counts reads of one object beyond the first (polling)."""
    counts: collections.Counter[str] = collections.Counter()
    reads: collections.Counter[str] = collections.Counter()
    for r in sent:
        if _is_discovery(r.path):
            counts["discovery"] += 1
        elif r.verb == "watch":
            counts["watch"] += 1
        elif r.method in WRITES:
            counts["write"] += 1
        else:
            counts["read"] += 1
            reads[r.path + "?" + "&".join(f"{k}={v}" for k, v in sorted(r.query.items()))] += 1
    counts["polled"] = sum(n - 1 for n in reads.values())
    return dict(counts)


def _text(counts: dict[str, int]) -> str:
    parts = [f"{counts.get(k, 0)} {k}" for k in ("discovery", "read", "write", "watch")]
    return f"{sum(counts.get(k, 0) for k in ('discovery', 'read', 'write', 'watch'))} ({', '.join(parts)})"


def _objects(runtime: str, env: dict[str, str]) -> list[str]:
    done = subprocess.run(
        [AKSCLI, "model", "deploy", "phi-4", "--runtime", runtime, "--dry-run=client", "-o", "name"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def _peer(emu: KubeEmulator, runtime: str, env: dict[str, str], tmp: Path) -> str:
    """kubectl applying the same objects and waiting for the serving one."""
    manifest = tmp / f"peer-{runtime}.yaml"
    rendered = subprocess.run(
        [AKSCLI, "model", "deploy", "phi-4", "--runtime", runtime, "--name", f"peer-{runtime}", "--dry-run=client"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    manifest.write_text(rendered.stdout)
    kind, condition = RUNTIMES[runtime]
    assert KUBECTL is not None
    applied = _split(_sent(emu, [KUBECTL, "apply", "--server-side", "-f", str(manifest)], env))
    waited = _split(_sent(emu, [KUBECTL, "wait", f"--for={condition}", f"{kind}/peer-{runtime}", "--timeout=60s"], env))
    return f"kubectl apply {_text(applied)} + kubectl wait {_text(waited)}"


def _round(runtime: str, command: list[str], tmp: Path) -> tuple[list[RequestRecord], dict[str, str]]:
    """``command`` (with the kubeconfig's env) on a fresh emulator: the requests it sent."""
    emu = _emulator()
    try:
        if runtime == "vllm":
            _add_vllm_nodes(emu)
        kubeconfig = emu.write_kubeconfig(tmp / "kubeconfig", "emulator", "default")
        env = tool_env(kubeconfig, tmp)
        return _sent(emu, command, env), env
    finally:
        emu.stop()


def _peer_round(runtime: str, tmp: Path) -> str:
    emu = _emulator()
    try:
        if runtime == "vllm":
            _add_vllm_nodes(emu)
        env = tool_env(emu.write_kubeconfig(tmp / "kubeconfig", "emulator", "default"), tmp)
        return _peer(emu, runtime, env, tmp)
    finally:
        emu.stop()


def main() -> None:
    compile_bytecode()
    print(tool_description(), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for runtime in RUNTIMES:
            deploy = [AKSCLI, "model", "deploy", "phi-4", "--runtime", runtime, "-y"]
            sent, env = _round(runtime, deploy, Path(tmp))
            plain = _split(sent)
            objects = _objects(runtime, env)
            waited = _split(_round(runtime, [*deploy, "--wait", "--timeout", "60s"], Path(tmp))[0])
            extra = {k: waited.get(k, 0) - plain.get(k, 0) for k in ("discovery", "read", "write", "watch")}
            wait_requests = sum(extra.values())
            limit = len(objects) + 3
            mark = "at target" if wait_requests <= limit and waited.get("polled", 0) == 0 else "NOT at target"
            print(
                f"model deploy phi-4 --runtime {runtime} --wait: {len(objects)} objects ({', '.join(objects)}); "
                f"the wait sent {wait_requests} requests ({extra['read']} read, {extra['watch']} watch, "
                f"{extra['discovery']} discovery), {waited.get('polled', 0)} repeated reads (polling); "
                f"limit objects + 3 = {limit}: {mark}",
                flush=True,
            )
            print(f"  the whole deploy --wait: {_text(waited)}; without --wait: {_text(plain)}", flush=True)
            if KUBECTL is not None:
                print(f"  peer, same objects: {_peer_round(runtime, Path(tmp))}", flush=True)


if __name__ == "__main__":
    main()
