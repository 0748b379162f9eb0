"""What share of a cluster command the official ``kubernetes`` client's import is (#16 item 6).

``import kubernetes.client`` (any submodule runs the package's ``__init__``, which imports config,
dynamic, watch, stream, utils, leaderelection and informer too) against a whole ``akscli apply -f``
of one ConfigMap on the emulator, and ``kubectl apply --server-side`` of the same in the same run.
Then where the import's time goes (``python -X importtime``, medians): each part is charged with
the shared libraries it happens to import first (urllib3 and http.client land in config's share).
``kubernetes_validate`` is this project's test dependency (the emulator's schemas): where it is
installed, ``kubernetes.dynamic`` imports it, which an installed akscli does not pay.

Whether importing less of the official client is possible: ``PARTIAL`` imports only the modules
akscli uses (``kubernetes.client.api_client``, ``configuration``, ``rest``, ``exceptions`` and
``kubernetes.config.kube_config``) with the packages' ``__init__`` modules replaced by empty ones,
so neither dynamic, watch, stream, utils, leaderelection and informer nor the API and model
classes are loaded. Its figure beside the whole import says what that would save.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench._harness import (
    AKSCLI,
    KUBECTL,
    TOOL_PYTHON,
    compile_bytecode,
    median_seconds,
    tool_description,
    tool_env,
)
from tests.bench.bench_foundation import manifests
from tests.emulators.kube.emulator import KubeEmulator

RUNS = 11
PARTS = (
    "kubernetes.client",
    "kubernetes.config",
    "kubernetes.dynamic",
    "kubernetes_validate",
    "kubernetes.stream",
    "kubernetes.watch",
    "pydantic",
    "urllib3",
    "dateutil.parser",
    "requests_oauthlib",
    "yaml",
    "multiprocessing.pool",
)
# The modules akscli uses, loaded without running the package __init__ modules above them.
PARTIAL = """
import importlib.machinery, importlib.util, os, sys, types
root = os.path.dirname(importlib.util.find_spec("kubernetes").origin)
for name, sub in (("kubernetes", ""), ("kubernetes.client", "client"), ("kubernetes.client.models", "client/models"),
                  ("kubernetes.config", "config")):
    package = types.ModuleType(name)
    package.__path__ = [os.path.join(root, sub)]
    package.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, package)
from kubernetes.client.api_client import ApiClient
from kubernetes.client.configuration import Configuration
sys.modules["kubernetes.client"].ApiClient = ApiClient  # what kube_config imports from the package
sys.modules["kubernetes.client"].Configuration = Configuration
import kubernetes.client.rest, kubernetes.client.exceptions, kubernetes.config.kube_config
assert "kubernetes.dynamic" not in sys.modules and "kubernetes.client.models.v1_pod" not in sys.modules
"""


def partial_verdict(partial: float, whole: float) -> str:
    """What importing only the modules akscli uses would save, from the two medians (seconds)."""
    figures = (
        f"importing only the modules akscli uses, without the packages' __init__: {partial * 1000:,.0f} ms "
        f"against {whole * 1000:,.0f} ms for the whole client"
    )
    saved = whole - partial
    if saved < 0.1 * whole:  # within this machine's run-to-run noise
        return f"{figures}: no saving; the time is in what those modules import themselves (the parts below)"
    return f"{figures}: {saved * 1000:,.0f} ms ({saved / whole:.0%}) less"


def import_parts() -> dict[str, float]:
    """Median cumulative import time (seconds) of each of PARTS within ``import kubernetes``."""
    samples: dict[str, list[float]] = {part: [] for part in PARTS}
    for _ in range(RUNS):
        report = subprocess.run(
            [TOOL_PYTHON, "-X", "importtime", "-c", "import kubernetes.client"],
            capture_output=True,
            text=True,
            check=True,
        ).stderr
        seen: dict[str, float] = {}
        for line in report.splitlines():
            fields = line.split("|")
            if len(fields) == 3 and fields[2].strip() in samples and fields[1].strip().isdigit():
                seen.setdefault(fields[2].strip(), int(fields[1]) / 1e6)
        for part in PARTS:
            samples[part].append(seen.get(part, 0.0))
    return {part: statistics.median(values) for part, values in samples.items()}


def imported_with_client() -> list[str]:
    code = (
        "import sys, kubernetes.client; "
        "print(' '.join(m for m in ('config', 'dynamic', 'watch', 'stream', 'utils', 'leaderelection', 'informer') "
        "if 'kubernetes.' + m in sys.modules))"
    )
    return subprocess.run([TOOL_PYTHON, "-c", code], capture_output=True, text=True, check=True).stdout.split()


def interleaved_medians(commands: dict[str, list[str]], env: dict[str, str]) -> dict[str, float]:
    """Median wall seconds of each command, run in turns so that a change of load on a shared
    machine touches every command alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(RUNS):
        for name, command in commands.items():
            times[name].append(median_seconds(command, 1, env=env))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    compile_bytecode()
    print(tool_description(), flush=True)
    emu = KubeEmulator(tls=True, record_requests=False).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            kubeconfig = emu.write_kubeconfig(Path(tmp) / "kubeconfig", "emulator", "default")
            env = tool_env(kubeconfig, Path(tmp))
            one = Path(tmp) / "one.yaml"
            one.write_text(manifests("one", 1))
            commands = {
                # started as akscli imports the client (akscli.process.large_import): the cyclic
                # collector off during the import, what it made frozen after; otherwise the
                # collections during the import and the interpreter's last one at exit (about
                # 100 ms) would be counted as import time
                "bare": [TOOL_PYTHON, "-c", "import gc; gc.disable(); gc.freeze()"],
                "import": [TOOL_PYTHON, "-c", "import gc; gc.disable(); import kubernetes.client; gc.freeze()"],
                "partial": [TOOL_PYTHON, "-c", "import gc; gc.disable()\n" + PARTIAL + "gc.freeze()"],
                "ours": [AKSCLI, "apply", "-f", str(one), "-y"],
            }
            if KUBECTL:
                commands["peer"] = [KUBECTL, "apply", "--server-side", "-f", str(one)]
            medians = interleaved_medians(commands, env)
    finally:
        emu.stop()
    kube_import, ours, peer = medians["import"] - medians["bare"], medians["ours"], medians.get("peer", 0.0)
    print(
        f"import kubernetes.client: {kube_import * 1000:,.0f} ms, {kube_import / ours:.0%} of akscli apply of one "
        f"object ({ours * 1000:,.0f} ms, median of {RUNS})"
        + (f"; kubectl apply --server-side {peer * 1000:,.0f} ms, ratio {ours / peer:.2f}x" if peer else "")
    )
    print("  " + partial_verdict(medians["partial"] - medians["bare"], kube_import))
    parts = import_parts()
    print(
        "  where it goes (-X importtime, cumulative, median of "
        f"{RUNS}): " + ", ".join(f"{part} {seconds * 1000:,.0f} ms" for part, seconds in parts.items() if seconds)
    )
    test_only = parts["kubernetes_validate"]
    if test_only >= 0.001:  # only where the akscli under test has the test dependency installed
        print(
            f"  without kubernetes_validate (a test dependency here, absent from an install): about "
            f"{(kube_import - test_only) * 1000:,.0f} ms, {(kube_import - test_only) / (ours - test_only):.0%} "
            "of the one-object apply"
        )
    print(f"  import kubernetes.client also imports kubernetes.{{{','.join(imported_with_client())}}}")


if __name__ == "__main__":
    main()
