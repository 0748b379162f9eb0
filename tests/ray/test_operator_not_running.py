"""The KubeRay operator that does not start (ray19): Go's flag package refusing a flag main.go does
not define (exit 2) or answering -h (its usage, exit 0); its --config file missing or not YAML
("failed to read/decode config file", exit 1; an unknown field is no error: the decoder is not
strict); and while its pod does not run, the simulator reconciles nothing and `ray` commands
that wait say the operator is not running and how to read its log.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/main.go (flag.*Var, flag.Parse on
flag.CommandLine, os.ReadFile, decodeConfig, exitOnError before ctrl.NewManager); golang/go
src/flag/flag.go parseOne (ErrHelp, "flag provided but not defined"), Parse (ExitOnError: exit 0
for ErrHelp, else 2); kubernetes-sigs/controller-runtime v0.24.1 pkg/client/config/config.go
(kubeconfig), pkg/log/zap/zap.go BindFlags; kubernetes/apimachinery v0.36.0
pkg/runtime/serializer/codec_factory.go (not strict), json/json.go Decode, gvkWithDefaults.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli.ray.operator_gates import (
    CONFIG_FIX,
    HELP_FIX,
    NUMBER_FIX,
    container_gates,
    operator_gates,
    read_config,
)
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.gates import FLAG_PARSE, HELP, exits_at_start, start_error
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_alpha_options import V170
from tests.ray.test_kuberay_states import _cluster_spec
from tests.ray.test_operator_batch_rules import _operator_deployment

RAY = "ray.io/v1"
V132 = "quay.io/kuberay/operator:v1.3.2"
CONFIG_PATH = "/etc/kuberay/config.yaml"


@pytest.mark.parametrize(
    ("image", "args", "error"),
    [
        (V170, ["--watch-namespaces=team-a"], "flag provided but not defined: -watch-namespaces"),
        (V170, ["-h"], HELP),
        (V170, ["--help"], HELP),
        (V170, ["--kubeconfig=/k", "--zap-log-level=debug", "--qps=50", "--burst", "100"], None),
        (V132, ["--watch-namespaces=team-a"], None),  # before v1.4: the flags are not read, not judged
    ],
)
def test_go_refuses_a_flag_main_go_does_not_define_and_answers_help(
    image: str, args: list[str], error: str | None
) -> None:
    container = {"image": image, "args": args}
    assert start_error(container) == ((FLAG_PARSE, error) if error else None)
    ours = container_gates(container)
    if error is None:
        assert ours.problem is None
    elif error == HELP:
        assert (ours.problem, ours.fix) == (f"KubeRay v1.7 prints its usage and exits at start ({HELP})", HELP_FIX)
    else:
        assert ours.problem == f"KubeRay v1.7 exits at start: {error}"
        assert "--watch-namespace," in str(ours.fix)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--qps=x"], 'invalid value "x" for flag -qps: parse error'),
        (["-burst", "1.5"], 'invalid value "1.5" for flag -burst: parse error'),
        (["--reconcile-concurrency=9223372036854775808"], "for flag -reconcile-concurrency: value out of range"),
        (["--qps=0x1p4", "--burst=0x10", "--reconcile-concurrency=1_0"], None),  # strconv's own syntax
    ],
)
def test_go_refuses_a_number_flag_it_cannot_parse_and_exits_2(args: list[str], error: str | None) -> None:
    # golang/go src/flag/flag.go parseOne: flag.Value.Set's error (intValue/float64Value.Set, numError).
    container = {"image": V170, "args": args}
    spec = {"containers": [container]}
    ours = container_gates(container)
    if error is None:
        assert (start_error(container), exits_at_start(spec), ours.problem) == (None, None, None)
        return
    found = exits_at_start(spec)
    assert found is not None and found[0].endswith(error) and found[1] == 2
    assert str(ours.problem).startswith("KubeRay v1.7 exits at start: invalid value ")
    assert str(ours.problem).endswith(error)
    assert ours.fix == NUMBER_FIX


def test_help_exits_0_with_the_usage_line() -> None:
    spec = {"containers": [{"image": V170, "command": ["/manager"], "args": ["-help"]}]}
    assert exits_at_start(spec) == ("Usage of /manager:", 0)


class _Kube:
    """A cluster connection that holds one ConfigMap."""

    def __init__(self, data: dict[str, str]) -> None:
        self.data = data

    def get(self, api: str, kind: str, name: str, namespace: str) -> dict[str, Any]:
        return {"data": self.data}


_MOUNTED = {
    "metadata": {"namespace": "kuberay-system"},
    "spec": {
        "containers": [
            {
                "image": V170,
                "args": ["--config", "/etc/kuberay/config.yaml"],
                "volumeMounts": [{"name": "cfg", "mountPath": "/etc/kuberay"}],
            }
        ],
        "volumes": [{"name": "cfg", "configMap": {"name": "kuberay-operator-config"}}],
    },
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"config.yaml": "batchScheduler: volcano\n  enableBatchScheduler: true\n"},
            ("failed to decode config file", "error converting YAML to JSON: yaml: line 2: "),
        ),
        ({"other.yaml": "{}"}, ("failed to read config file", f"open {CONFIG_PATH}: no such file or directory")),
        # not strict: the unknown field is dropped, the rest judged; no apiVersion/kind: a Configuration
        ({"config.yaml": "reconcileConcurency: 2\nbatchScheduler: kueue\n"}, None),
    ],
)
def test_the_config_file_read_and_decoded_as_main_go_does(
    data: dict[str, str], expected: tuple[str, str] | None
) -> None:
    from tests.emulators.kube.controllers.kuberay.gates import config_reader

    class _Store:
        def get(self, api: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
            return {"data": data}

    theirs = start_error(_MOUNTED["spec"]["containers"][0], config_reader(_Store(), "kuberay-system", _MOUNTED["spec"]))
    ours = container_gates(_MOUNTED["spec"]["containers"][0], read_config(_Kube(data), _MOUNTED))
    if expected is None:
        assert theirs == ("batch scheduler configs validation failed", "scheduler is not supported, name=kueue")
        assert str(ours.problem).endswith("scheduler is not supported, name=kueue")
        return
    assert theirs is not None and theirs[0] == expected[0] and theirs[1].startswith(expected[1])
    assert ours.problem == f"KubeRay v1.7 exits at start: {theirs[0]}: {theirs[1]}"
    assert ours.fix == CONFIG_FIX


def test_nothing_is_reconciled_while_the_operator_crash_loops_and_ray_says_so(
    ray_emulator: Callable[..., Any],
) -> None:
    """An operator Deployment with a flag its main.go does not define: its pod exits 2 at every
    start, the simulator it stands for leaves a new RayCluster alone (no status, no pod), and
    `ray cluster create --wait` says the operator is not running and how to read its log. Fixed
    flags roll out a running pod, whose start reconciles the waiting cluster."""
    emu = ray_emulator()
    pod, _ = _operator_deployment(emu, {"image": V170, "args": ["--watch-namespaces=default"]}, [])
    assert pod()["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 2
    result = invoke("ray", "cluster", "create", "idle", "--wait", "--timeout", "1s")
    assert result.exit_code == 5, result  # timed out (docs/exit-codes.md)
    assert "the KubeRay operator is not running" in result.stderr, result.stderr
    assert "kubectl logs -n kuberay-system deploy/kuberay-operator" in result.stderr, result.stderr
    assert "flag provided but not defined: -watch-namespaces" in result.stderr, result.stderr
    rc = emu.cluster.get("ray.io/v1", "RayCluster", "default", "idle")
    assert not rc.get("status") and not emu.cluster.list("v1", "Pod", "default")
    deployment = emu.cluster.get("apps/v1", "Deployment", "kuberay-system", "kuberay-operator")
    deployment["spec"]["template"]["spec"]["containers"][0]["args"] = ["--watch-namespace=default"]
    emu.cluster.update(deployment)
    wait_until(lambda: bool((emu.cluster.get("ray.io/v1", "RayCluster", "default", "idle") or {}).get("status")))


def test_a_running_jobs_end_waits_for_the_operator_to_run_again(ray_emulator: Callable[..., Any]) -> None:
    """A RayJob Running when its operator starts crash-looping: no pass reads the Ray job's end, so
    the RayJob stays Running (jobStatus RUNNING) while the operator is down (the chart's Recreate
    stops the old pod before the new one starts: _operator_deployment); the first pass of the
    restarted operator completes it (ray-project/kuberay v1.7.0 ray-operator/main.go exitOnError
    before mgr.Start; rayjob_controller.go, the Running case)."""
    emu = ray_emulator(run_seconds=1.5)
    [simulator] = [c for c in emu.controllers.controllers if hasattr(c, "operator_down")]
    _operator_deployment(emu, {"image": V170, "args": []}, [])
    job = {"entrypoint": "python x.py", "submissionMode": "HTTPMode", "rayClusterSpec": _cluster_spec()}
    emu.cluster.create(
        {"apiVersion": RAY, "kind": "RayJob", "metadata": {"name": "j", "namespace": "default"}, "spec": job}
    )
    wait_until(
        lambda: (emu.cluster.get(RAY, "RayJob", "default", "j").get("status") or {}).get("jobStatus") == "RUNNING"
    )
    _set_args(emu, ["--watch-namespaces=default"])
    wait_until(simulator.operator_down)  # its new pod exits 2 (about 0.3 s here; the job runs 1.5 s)
    # --timeout 2s: past the job's run_seconds, and the wait ends with the RayJob still Running.
    assert invoke("ray", "job", "status", "j", "--wait", "--timeout", "2s").exit_code != 0
    status = emu.cluster.get(RAY, "RayJob", "default", "j")["status"]
    assert (status["jobDeploymentStatus"], status["jobStatus"]) == ("Running", "RUNNING")
    _set_args(emu, [])
    wait_until(lambda: emu.cluster.get(RAY, "RayJob", "default", "j")["status"]["jobDeploymentStatus"] == "Complete")


def test_a_stuck_rolling_update_leaves_the_old_operator_running_and_akscli_does_not_call_it_down(
    ray_emulator: Callable[..., Any],
) -> None:
    """A hand-written operator Deployment without the chart's Recreate (RollingUpdate,
    kubernetes/kubernetes pkg/apis/apps/v1/defaults.go): a bad args change makes a new pod that
    exits 2, while the old one stays (maxUnavailable 25% of 1 rounds down to 0; rolling.go
    reconcileOldReplicaSets). The old operator still reconciles, so `ray cluster create --wait`
    gets its cluster, the operator's gates are the running pod's, and doctor says its pod is ready."""
    emu = ray_emulator()
    _operator_deployment(emu, {"image": V170, "args": []}, [], strategy=None)
    _set_args(emu, ["--watch-namespaces=default"])

    def pods() -> list[dict[str, Any]]:
        return list(emu.cluster.list("v1", "Pod", "kuberay-system"))

    def exited(pod: dict[str, Any]) -> bool:
        last = ((pod.get("status") or {}).get("containerStatuses") or [{}])[0].get("lastState") or {}
        return (last.get("terminated") or {}).get("exitCode") == 2

    wait_until(lambda: len(pods()) == 2 and any(exited(p) for p in pods()))
    assert sum(not exited(p) for p in pods()) == 1  # the old operator, still running

    class _Pods:
        def list(self, api: str, kind: str, **_: Any) -> list[dict[str, Any]]:
            return pods()

    assert operator_gates(_Pods()).problem is None
    result = invoke("ray", "cluster", "create", "up", "--wait", "--timeout", "30s")
    assert result.exit_code == 0, result
    assert "not running" not in result.stdout + result.stderr
    doctor = json.loads(invoke("doctor", "--for", "ray", "-o", "json").stdout)
    [check] = [c for c in doctor["checks"] if c["check"] == "pods" and c["component"] == "kuberay"]
    assert check["status"] == "ok" and check["detail"].endswith(" is ready"), check


def _set_args(emu: Any, args: list[str]) -> None:
    deployment = emu.cluster.get("apps/v1", "Deployment", "kuberay-system", "kuberay-operator")
    deployment["spec"]["template"]["spec"]["containers"][0]["args"] = args
    emu.cluster.update(deployment)
