"""KubeRay's batch-scheduler start-up rules beyond KubernetesWAS (ray18b): Go's flag package
refusing a bad bool (exit 2, parsing stops at the first non-flag word), both batch settings at
once, a scheduler name the release does not know, and the same settings from the operator's
--config file (a mounted ConfigMap). akscli (akscli.ray.operator_gates) and the simulator
(controllers/kuberay/gates.py start_error) agree.

upstream: ray-project/kuberay v1.7.0 (59d663ae) ray-operator/main.go lines 112-205 (flag.Parse,
--config, decodeConfig, ValidateBatchSchedulerConfig), apis/config/v1alpha1/config_utils.go at
v1.2.2, v1.3.2, v1.4.2 and v1.7.0, configuration_types.go; helm-chart/kuberay-operator templates/
deployment.yaml and configmap.yaml; golang/go src/flag/flag.go parseOne, boolValue.Set, Parse.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli.ray.operator_gates import BOOL_FIX, BOTH_ERROR, container_gates
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.gates import FLAG_PARSE, start_error
from tests.ray.test_cli_cluster import wait_until
from tests.ray.test_kuberay_alpha_options import V170

V122, V142 = "quay.io/kuberay/operator:v1.2.2", "quay.io/kuberay/operator:v1.4.2"
VALIDATION = "batch scheduler configs validation failed"


def _both_sides(container: dict[str, Any], config: dict[str, Any] | None = None) -> tuple[Any, Any]:
    read = (lambda path: json.dumps(config)) if config is not None else None
    return start_error(container, read), container_gates(container, config)


@pytest.mark.parametrize(
    ("image", "refused"),
    [(V170, True), (V122, False)],  # v1.2 has no such rule: enable wins
)
def test_both_batch_flags_stop_the_operator(image: str, refused: bool) -> None:
    theirs, ours = _both_sides({"image": image, "args": ["--enable-batch-scheduler", "--batch-scheduler=volcano"]})
    assert theirs == ((VALIDATION, BOTH_ERROR) if refused else None)
    assert ours.problem == (f"KubeRay v1.7 exits at start: {BOTH_ERROR}" if refused else None)
    assert ours.fix is None or "drop the operator's --enable-batch-scheduler" in ours.fix


@pytest.mark.parametrize(
    ("image", "name", "refused"),
    [
        (V170, "kueue", True),
        (V142, "kai-scheduler", True),
        (V170, "kai-scheduler", False),
        (V142, "scheduler-plugins", False),
    ],
)
def test_a_scheduler_name_the_release_does_not_know_stops_the_operator(image: str, name: str, refused: bool) -> None:
    theirs, ours = _both_sides({"image": image, "args": [f"--batch-scheduler={name}"]})
    error = f"scheduler is not supported, name={name}"
    assert theirs == ((VALIDATION, error) if refused else None)
    assert (ours.problem or "").endswith(error) if refused else ours.problem is None
    assert ours.fix is None or "(helm: batchScheduler.name) to one of volcano, yunikorn" in ours.fix


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--enable-batch-scheduler=yes"], 'invalid boolean value "yes" for -enable-batch-scheduler: parse error'),
        # a bool flag takes no separate value: parsing stops at "true", --batch-scheduler is never read
        (["--enable-batch-scheduler", "true", "--batch-scheduler=volcano"], None),
    ],
)
def test_go_flag_parsing_of_the_bool_flag(args: list[str], error: str | None) -> None:
    theirs, ours = _both_sides({"image": V170, "command": ["/manager"], "args": args})
    assert theirs == ((FLAG_PARSE, error) if error else None)
    assert ours.problem == (f"KubeRay v1.7 exits at start: {error}" if error else None)
    assert ours.fix == (BOOL_FIX if error else None)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"batchScheduler": "kueue"}, "scheduler is not supported, name=kueue"),
        ({"enableBatchScheduler": True, "batchScheduler": "yunikorn"}, BOTH_ERROR),
        ({"batchScheduler": "volcano"}, None),
    ],
)
def test_the_config_files_batch_settings_are_judged_and_the_flags_ignored(
    config: dict[str, Any], error: str | None
) -> None:
    container = {"image": V170, "args": ["--config", "/etc/kuberay/config.yaml", "--batch-scheduler=bogus"]}
    document = {"apiVersion": "config.ray.io/v1alpha1", "kind": "Configuration", **config}
    theirs, ours = _both_sides(container, document)
    assert theirs == ((VALIDATION, error) if error else None)
    assert ours.problem == (f"KubeRay v1.7 exits at start: {error}" if error else None)
    assert ours.fix is None or "its --config file's" in ours.fix


def _operator_deployment(
    emu: Any, container: dict[str, Any], volumes: list[dict[str, Any]], strategy: str | None = "Recreate"
) -> tuple[Callable[[], Any], Any]:
    """The operator Deployment as Helm installs it; ``strategy=None`` leaves the strategy out (a
    hand-written Deployment: RollingUpdate, kubernetes/kubernetes pkg/apis/apps/v1/defaults.go)."""
    from tests.emulators.kube.controllers.builtin import DeploymentController
    from tests.emulators.kube.profiles import namespace

    deployments = DeploymentController(delay=0.02)
    emu.controllers.add(deployments)
    namespace(emu, "kuberay-system")
    labels = {"app.kubernetes.io/component": "kuberay-operator"}
    spec = {"containers": [{"name": "kuberay-operator", **container}], "volumes": volumes}
    emu.cluster.create(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "kuberay-operator", "namespace": "kuberay-system"},
            "spec": {
                # Both installs run one replica with strategy Recreate, so a changed pod template stops the
                # old operator before the new pod starts (ray-project/kuberay v1.7.0
                # helm-chart/kuberay-operator/templates/deployment.yaml, values.yaml replicas: 1;
                # ray-operator/config/manager/manager.yaml).
                "replicas": 1,
                **({"strategy": {"type": strategy}} if strategy else {}),
                "selector": {"matchLabels": labels},
                "template": {"metadata": {"labels": labels}, "spec": spec},
            },
        }
    )

    def pod() -> dict[str, Any] | None:
        return next(iter(emu.cluster.list("v1", "Pod", "kuberay-system")), None)

    # the kubelet's report of the pod's containers: a pod is made before its container starts, logs
    # and exits (controllers/pods.py _exit_logged_first)
    wait_until(lambda: bool(((pod() or {}).get("status") or {}).get("containerStatuses")))
    return pod, deployments


def test_an_operator_refusing_its_config_files_scheduler_crash_loops_and_ray_cluster_status_says_why(
    ray_emulator: Callable[..., Any],
) -> None:
    """Helm's configuration.enabled install: ConfigMap kuberay-operator-config mounted on
    /etc/kuberay, --config /etc/kuberay/config.yaml. The simulator and akscli read the same file."""
    emu = ray_emulator(operator=False)
    config = "apiVersion: config.ray.io/v1alpha1\nkind: Configuration\nbatchScheduler: kueue\n"
    from tests.emulators.kube.profiles import namespace

    namespace(emu, "kuberay-system")
    emu.cluster.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "kuberay-operator-config", "namespace": "kuberay-system"},
            "data": {"config.yaml": config},
        }
    )
    mount = {"name": "operator-config", "mountPath": "/etc/kuberay", "readOnly": True}
    container = {"image": V170, "command": ["/manager"], "args": ["--config", "/etc/kuberay/config.yaml"]}
    volumes = [{"name": "operator-config", "configMap": {"name": "kuberay-operator-config"}}]
    pod, _ = _operator_deployment(emu, container | {"volumeMounts": [mount]}, volumes)
    name = str(pod()["metadata"]["name"])
    [(_, line)] = emu.cluster.api.log_lines("kuberay-system", name, "kuberay-operator")
    assert json.loads(line)["error"] == "scheduler is not supported, name=kueue"
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    shown = invoke("ray", "cluster", "status", "alone").stdout
    assert "KubeRay v1.7 exits at start: scheduler is not supported, name=kueue" in shown
    assert "set its --config file's batchScheduler" in shown


def test_a_bad_bool_flag_exits_2_with_go_flags_line(ray_emulator: Callable[..., Any]) -> None:
    """Go's flag package prints its error (not exitOnError's JSON) and exits 2, at every restart."""
    emu = ray_emulator(operator=False)
    pod, deployments = _operator_deployment(emu, {"image": V170, "args": ["--enable-batch-scheduler=yes"]}, [])
    name = str(pod()["metadata"]["name"])
    line = 'invalid boolean value "yes" for -enable-batch-scheduler: parse error'
    assert [x for _, x in emu.cluster.api.log_lines("kuberay-system", name, "kuberay-operator")] == [line]
    assert pod()["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 2
    deployments.advance(60)  # the back-off ends: the new instance exits 2 again
    wait_until(lambda: pod()["status"]["containerStatuses"][0]["restartCount"] > 3)
    assert pod()["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 2


def test_an_operator_pods_exit_is_reported_only_after_the_line_it_logged(ray_emulator: Callable[..., Any]) -> None:
    """The process writes its line, then exits, and only then does the kubelet report the exit
    (kubernetes/kubernetes pkg/kubelet/pleg/generic.go relist, pkg/kubelet/status/status_manager.go):
    whoever reads a pod whose lastState shows the exit reads the log line too. Each write of the pod
    is looked at as it is made (the API server's listeners run inside the write)."""
    emu = ray_emulator(operator=False)
    api = emu.cluster.api
    logged_at_exit: list[bool] = []

    def on_write(typ: str, rt: Any, obj: dict[str, Any], ctx: Any) -> None:
        md = obj.get("metadata") or {}
        statuses = (obj.get("status") or {}).get("containerStatuses") or [{}]
        exited = "terminated" in (statuses[0].get("lastState") or {})
        if rt.kind == "Pod" and md.get("namespace") == "kuberay-system" and typ != "DELETED" and exited:
            logged_at_exit.append(bool(api.log_lines("kuberay-system", md["name"], "kuberay-operator")))

    api.listeners.append(on_write)
    _operator_deployment(emu, {"image": V170, "args": ["--enable-batch-scheduler=yes"]}, [])
    assert logged_at_exit and all(logged_at_exit), logged_at_exit
