"""The KubeRay operator that exits at start on a zap flag's value or on a --config file that does not
decode (ray30), on both sides: the simulator (tests/emulators/kube/controllers/kuberay/gates.py,
config_decode.py) and akscli (akscli.model.goflags.zap_flag_error, akscli.ray.operator_config).

upstream: kubernetes-sigs/controller-runtime v0.24.1 pkg/log/zap/flags.go (levelFlag,
stackTraceFlag, encoderFlag, timeEncodingFlag Set) and golang/go src/flag/flag.go parseOne
("invalid value %q for flag -%s: %v", exit 2); ray-project/kuberay v1.7.0 ray-operator/main.go
decodeConfig, apis/config/v1alpha1/configuration_types.go; kubernetes/apimachinery v0.36.0
pkg/runtime/serializer/json/json.go Decode, pkg/runtime/error.go notRegisteredErr,
pkg/util/naming/from_stack.go; kubernetes-sigs/json internal/golang/encoding/json/decode.go
UnmarshalTypeError.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from akscli.ray.operator_gates import CONFIG_FIX, ZAP_FIX, container_gates, read_config
from tests.cli import invoke
from tests.emulators.kube.controllers.kuberay.gates import config_reader, exits_at_start, start_error
from tests.ray.test_kuberay_alpha_options import V170
from tests.ray.test_operator_batch_rules import _operator_deployment
from tests.ray.test_operator_not_running import _MOUNTED, _Kube

V142 = "quay.io/kuberay/operator:v1.4.2"
SCHEME = "pkg/runtime/scheme.go:111"  # NewScheme's own line in apimachinery v0.36.0 (kuberay v1.7.0)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["--zap-log-level=bogus"], 'invalid value "bogus" for flag -zap-log-level: invalid log level "bogus"'),
        (["--zap-log-level", "0"], 'invalid value "0" for flag -zap-log-level: invalid log level "0"'),
        (["--zap-log-level=1_0"], 'invalid value "1_0" for flag -zap-log-level: invalid log level "1_0"'),
        (["-zap-stacktrace-level=debug"], 'for flag -zap-stacktrace-level: invalid stacktrace level "debug"'),
        (["--zap-encoder=text"], 'invalid value "text" for flag -zap-encoder: invalid encoder value "text"'),
        # the flag's help names 'nano', but timeEncodingFlag.Set takes only "nanos"
        (["--zap-time-encoding=nano"], 'for flag -zap-time-encoding: invalid time-encoding value "nano"'),
        (["--zap-log-level=DEBUG", "--zap-encoder=Console", "--zap-time-encoding=RFC3339Nano"], None),
        (["--zap-log-level=+5", "--zap-stacktrace-level=PANIC", "--zap-log-level=\u0130nfo"], None),
    ],
)
def test_a_zap_flag_value_controller_runtime_refuses_stops_the_operator_with_exit_2(
    args: list[str], error: str | None
) -> None:
    container = {"image": V170, "args": args}
    spec = {"containers": [container]}
    ours = container_gates(container)
    if error is None:
        assert (start_error(container), exits_at_start(spec), ours.problem) == (None, None, None)
        return
    found = exits_at_start(spec)
    assert found is not None and found[0].endswith(error) and found[1] == 2
    assert ours.problem == f"KubeRay v1.7 exits at start: {found[0]}"
    assert ours.fix == ZAP_FIX


def test_an_operator_with_a_bad_zap_level_crash_loops_and_a_ray_wait_names_the_flag(
    ray_emulator: Callable[..., Any],
) -> None:
    emu = ray_emulator(operator=False)
    pod, _ = _operator_deployment(emu, {"image": V170, "args": ["--zap-log-level=verbose"]}, [])
    name = str(pod()["metadata"]["name"])
    line = 'invalid value "verbose" for flag -zap-log-level: invalid log level "verbose"'
    assert [x for _, x in emu.cluster.api.log_lines("kuberay-system", name, "kuberay-operator")] == [line]
    assert pod()["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 2
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    shown = invoke("ray", "cluster", "status", "alone").stdout
    assert f"KubeRay v1.7 exits at start: {line}" in shown
    assert "--zap-log-level debug, info, error, panic or a whole number above 0" in shown


@pytest.mark.parametrize(
    ("image", "text", "error"),
    [
        (
            V170,
            "apiVersion: config.ray.io/v1beta1\nkind: Configuration\n",
            f'no kind "Configuration" is registered for version "config.ray.io/v1beta1" in scheme "{SCHEME}"',
        ),
        # the group left out: gvkWithDefaults keeps the version, and core has no v1alpha1
        (
            V170,
            "apiVersion: v1alpha1\n",
            f'no kind "Configuration" is registered for version "v1alpha1" in scheme "{SCHEME}"',
        ),
        (
            V170,
            "apiVersion: config.ray.io/v1alpha1\nkind: OperatorConfiguration\n",
            f'no kind "OperatorConfiguration" is registered for version "config.ray.io/v1alpha1" in scheme "{SCHEME}"',
        ),
        # v1.4.2 builds with apimachinery v0.33.1: NewScheme's line is 110
        (
            V142,
            "kind: Config\n",
            'no kind "Config" is registered for version "config.ray.io/v1alpha1" in scheme "pkg/runtime/scheme.go:110"',
        ),
        (V170, "apiVersion: config.ray.io/v1alpha1/x\n", "unexpected GroupVersion string: config.ray.io/v1alpha1/x"),
        (
            V170,
            'reconcileConcurrency: "5"\n',
            "json: cannot unmarshal string into Go struct field Configuration.reconcileConcurrency of type int",
        ),
        (
            V170,
            "reconcileConcurrency: 2.5\n",
            "json: cannot unmarshal number 2.5 into Go struct field Configuration.reconcileConcurrency of type int",
        ),
        # YAMLToJSON writes the keys sorted: batchScheduler's error comes first, whatever the file's order
        (
            V170,
            "watchNamespace: [a, b]\nbatchScheduler: 1\n",
            "json: cannot unmarshal number into Go struct field Configuration.batchScheduler of type string",
        ),
        (
            V170,
            "qps: fast\n",
            "json: cannot unmarshal string into Go struct field Configuration.qps of type float64",
        ),
        (V142, "qps: fast\n", None),  # v1.4 has no qps field: an unknown field is dropped
        (V170, "enableLeaderElection: yes\nburst: 10.0\nqps: 5\n", None),  # YAML 1.1 bool; 10.0 is JSON 10
    ],
)
def test_a_config_file_that_does_not_decode_stops_the_operator_as_decode_config_does(
    image: str, text: str, error: str | None
) -> None:
    pod = json.loads(json.dumps(_MOUNTED))
    pod["spec"]["containers"][0]["image"] = image
    container, data = pod["spec"]["containers"][0], {"config.yaml": text}

    class _Store:
        def get(self, api: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
            return {"data": data}

    theirs = start_error(container, config_reader(_Store(), "kuberay-system", pod["spec"]))
    ours = container_gates(container, read_config(_Kube(data), pod))
    if error is None:
        assert (theirs, ours.problem) == (None, None)
        return
    assert theirs == ("failed to decode config file", error)
    where = "KubeRay v1.7" if image == V170 else "KubeRay v1.4"
    assert (ours.problem, ours.fix) == (f"{where} exits at start: failed to decode config file: {error}", CONFIG_FIX)


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: v1\nkind: ConfigMap\n",  # the operator's scheme holds core v1: a conversion error, not read
        "apiVersion: config.ray.io/v1alpha1\nkind: Status\n",  # metav1's unversioned kinds
        "headSidecarContainers: [{name: 1}]\nwatchNamespace: 3\n",  # a nested field's error may come first
        "metricsAddr: 2026-01-01\n",  # PyYAML reads a date
    ],
)
def test_a_config_file_akscli_cannot_follow_go_on_is_not_judged(text: str) -> None:
    from akscli.ray.operator_config import decode
    from tests.emulators.kube.controllers.kuberay.config_decode import decode_config

    assert (decode(text, (1, 7)), decode_config(text, (1, 7))) == (None, (None, None))


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        # the chart sets no policy: File, and the operator writes no /dev/termination-log
        (None, ""),
        ("FallbackToLogsOnError", '; its last message: invalid value "verbose" for flag -zap-log-level: invalid log'),
    ],
)
def test_an_operator_akscli_cannot_judge_is_named_by_its_crash_loop_exit_code_and_termination_message(
    ray_emulator: Callable[..., Any], policy: str | None, message: str
) -> None:
    """A nightly image: akscli does not know its flags, so what it says is the kubelet's: the
    crash loop, the last exit's code, and lastState.terminated.message where the kubelet wrote one
    (kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
    convertToKubeContainerStatus: FallbackToLogsOnError and a non-zero exit: the log's tail)."""
    emu = ray_emulator(operator=False)
    container = {"image": "quay.io/kuberay/operator:nightly", "args": ["--zap-log-level=verbose"]}
    if policy is not None:
        container["terminationMessagePolicy"] = policy
    pod, _ = _operator_deployment(emu, container, [])
    last = pod()["status"]["containerStatuses"][0]["lastState"]["terminated"]
    assert last.get("message", "") == (
        message and 'invalid value "verbose" for flag -zap-log-level: invalid log level "verbose"\n'
    )
    assert invoke("ray", "cluster", "create", "alone").exit_code == 0
    shown = " ".join(invoke("ray", "cluster", "status", "alone").stdout.split())
    assert "the KubeRay operator is not running (pod kuberay-system/" in shown
    assert "container kuberay-operator: CrashLoopBackOff (last exit: Error, exit code 2)" in shown
    assert (message in shown) if message else ("its last message" not in shown)
