"""The KubeRay operator on a cluster as akscli reads it: its release (from its image tag), its
feature gates (that release's defaults, then its ``--feature-gates`` flag), and whether that flag
lets it start at all.

upstream: ray-project/kuberay ray-operator/pkg/features/features.go defaultFeatureGates at v1.2.2,
v1.3.2, v1.4.2, v1.5.0-v1.5.2, v1.6.0, v1.6.2 and v1.7.0 (v1.1.x has no gates; every Alpha gate is
off by default, every Beta gate on). ray-operator/main.go reads ``-feature-gates`` with Go's flag
package (flag.StringVar: one or two dashes, ``=VALUE`` or the next word, the last one wins;
flag.Parse: akscli.model.goflags.go_parse) and hands it to utilfeature.DefaultMutableFeatureGate.Set;
an error there is exitOnError's
"Unable to set flag gates for known features" and os.Exit(1): the pod crash-loops. The errors are
kubernetes/component-base v0.36.0 (v1.7.0's go.mod; v0.33.1 for v1.4.2)
featuregate/feature_gate.go SetWithLogger ("missing bool value for K", "invalid value of K=V,
err: ...", strconv.ParseBool's) and unsafeSetFromMap ("unrecognized feature gate: K"); the
AllAlpha and AllBeta gates every featuregate knows set each Alpha (Beta) gate the flag does not
name (setUnsetAlphaGates, setUnsetBetaGates).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli.model.goflags import HELP, go_parse
from akscli.ray.kuberay_rules import at_least, parse_generic

# The label both of KubeRay's install methods put on the operator's pods (upstream: ray-project/kuberay
# v1.7.0 helm-chart/kuberay-operator/templates/deployment.yaml, component from _helpers.tpl
# "kuberay-operator.component", values.yaml componentOverride: kuberay-operator; and the kustomize
# install ray-operator/config/manager/manager.yaml, whose app.kubernetes.io/name is "kuberay").
OPERATOR_SELECTOR = "app.kubernetes.io/component=kuberay-operator"

_ON_SINCE_V1_3 = {"RayClusterStatusConditions": True}
# ray-project/kuberay <tag> ray-operator/pkg/features/features.go defaultFeatureGates.
RELEASE_GATES: dict[tuple[int, int], dict[str, bool]] = {
    (1, 1): {},
    (1, 2): {"RayClusterStatusConditions": False},
    (1, 3): {**_ON_SINCE_V1_3, "RayJobDeletionPolicy": False},
    (1, 4): {**_ON_SINCE_V1_3, "RayJobDeletionPolicy": False},
    (1, 5): {
        **_ON_SINCE_V1_3,
        "RayJobDeletionPolicy": False,
        "RayMultiHostIndexing": False,
        "RayServiceIncrementalUpgrade": False,
    },
    (1, 6): {
        **_ON_SINCE_V1_3,
        "RayJobDeletionPolicy": True,
        "RayMultiHostIndexing": True,
        "RayServiceIncrementalUpgrade": False,
        "RayCronJob": False,
        "AsyncJobInfoQuery": False,
    },
    (1, 7): {
        **_ON_SINCE_V1_3,
        "RayJobDeletionPolicy": True,
        "RayMultiHostIndexing": True,
        "RayServiceIncrementalUpgrade": True,
        "RayCronJob": False,
        "SidecarSubmitterRestart": False,
        "RayClusterNetworkPolicy": False,
        "GCSFaultToleranceEmbeddedStorage": False,
        "RayClusterMTLS": False,
        "RayClusterHistoryServer": False,
        "KubernetesWAS": False,
    },
}
_SPECIAL = ("AllAlpha", "AllBeta")  # component-base featuregate: known to every gate set

# strconv.ParseBool, which featuregate.Set reads each value with.
_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def release_of(image: str) -> tuple[int, int] | None:
    """The (major, minor) KubeRay release an operator image's tag names; None for no release
    akscli knows (``nightly``, a digest, a later release)."""
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last and "@" not in image else ""
    found = re.fullmatch(r"v?(\d+)\.(\d+)\.\d+(-rc\.\d+)?", tag)
    if found is None:
        return None
    release = (int(found[1]), int(found[2]))
    return release if release in RELEASE_GATES else None


def parse_flag(value: str, known: Mapping[str, bool] | None) -> tuple[dict[str, bool], str | None]:
    """featuregate.Set of ``value`` against a release's gates ``known`` (None: not known, so no
    name is refused): the gates the flag sets, or the error that stops the operator."""
    pairs: dict[str, bool] = {}
    for part in value.split(","):
        if not part:
            continue
        key, eq, raw = part.partition("=")
        key = key.strip()
        if not eq:
            return {}, f"missing bool value for {key}"
        raw = raw.strip()
        if raw not in _GO_BOOLS:
            return {}, f'invalid value of {key}={raw}, err: strconv.ParseBool: parsing "{raw}": invalid syntax'
        pairs[key] = _GO_BOOLS[raw]
    if known is None:
        return pairs, None
    unknown = next((k for k in pairs if k not in known and k not in _SPECIAL), None)
    if unknown is not None:
        return {}, f"unrecognized feature gate: {unknown}"
    gates = dict(known)
    for special, default_on in (("AllAlpha", False), ("AllBeta", True)):
        if special in pairs:  # setUnsetAlphaGates / setUnsetBetaGates: only the gates not named
            gates.update({k: pairs[special] for k, on in known.items() if on is default_on and k not in pairs})
    gates.update({k: v for k, v in pairs.items() if k not in _SPECIAL})
    return gates, None


GATES_FIX = (
    "fix the operator's --feature-gates (helm: featureGates in the chart's values) to name only gates its release has"
)
# ray-project/kuberay v1.7.0 apis/config/v1alpha1/config_utils.go ValidateBatchSchedulerConfig
WAS_ERROR = "the KubernetesWAS feature gate cannot be combined with --batch-scheduler or --enable-batch-scheduler"
WAS_FIX = (
    "drop --batch-scheduler and --enable-batch-scheduler (helm: batchScheduler.name and batchScheduler.enabled), "
    "or turn KubernetesWAS off in its --feature-gates"
)
SIDECAR_RESTART = "SidecarSubmitterRestart"
# main.go: "please make sure worker nodes are also v1.35+" (the kubelets apply the container's restart policy)
SIDECAR_FIX = (
    "turn SidecarSubmitterRestart off in the operator's --feature-gates (helm: featureGates), or upgrade the "
    "cluster and its node pools to Kubernetes 1.35 or later (akscli cluster upgrade NAME --kubernetes-version 1.35)"
)


# ray-operator/main.go flag.BoolVar (and controller-runtime v0.24.1 pkg/log/zap/zap.go BindFlags:
# zap-devel): Go's flag package takes no separate value for these.
BOOL_FLAGS = (
    "enable-leader-election",
    "forced-cluster-upgrade",
    "enable-batch-scheduler",
    "use-kubernetes-proxy",
    "enable-metrics",
    "zap-devel",
)
# ray-project/kuberay ray-operator/main.go flag.*Var at v1.4.2, v1.5.1, v1.6.2 and v1.7.0 (v1.5 adds qps
# and burst), and what main.go's imports define on flag.CommandLine: kubernetes-sigs/controller-runtime
# (v0.21.0-v0.24.1) pkg/client/config/config.go init (kubeconfig), pkg/log/zap/zap.go BindFlags (zap-*).
# Go's flag package refuses any other (golang/go src/flag/flag.go parseOne); older releases: not judged.
_V1_4_FLAGS = (
    *BOOL_FLAGS,
    "metrics-addr",
    "health-probe-bind-address",
    "leader-election-namespace",
    "reconcile-concurrency",
    "watch-namespace",
    "log-file-path",
    "log-file-encoder",
    "log-stdout-encoder",
    "batch-scheduler",
    "config",
    "feature-gates",
    "kubeconfig",
    "zap-encoder",
    "zap-log-level",
    "zap-stacktrace-level",
    "zap-time-encoding",
)
DEFINED_FLAGS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 4): _V1_4_FLAGS,
    **dict.fromkeys(((1, 5), (1, 6), (1, 7)), (*_V1_4_FLAGS, "qps", "burst")),
}
# ray-project/kuberay ray-operator/main.go flag.IntVar (reconcile-concurrency; v1.5+ burst) and
# flag.Float64Var (v1.5+ qps): a value Go's strconv cannot parse stops flag.Parse (golang/go
# src/flag/flag.go parseOne, "invalid value %q for flag -%s: %v"), exit 2.
NUMBER_FLAGS = {"reconcile-concurrency": "int", "burst": "int", "qps": "float64"}
NUMBER_FIX = (
    "give --reconcile-concurrency and --burst a whole number and --qps a number, as Go reads them "
    "(10, 0x1F, 1.5, 1e3) (helm: the chart's values)"
)
# controller-runtime's zap flags (pkg/log/zap/flags.go, v0.21.0-v0.24.1): each Set refuses any other word
ZAP_FLAGS = ("zap-encoder", "zap-log-level", "zap-stacktrace-level", "zap-time-encoding")
ZAP_FIX = (
    "give the operator's zap flags a value controller-runtime takes: --zap-log-level debug, info, error, panic or "
    "a whole number above 0; --zap-stacktrace-level info, error or panic; --zap-encoder json or console; "
    "--zap-time-encoding epoch, millis, nanos, iso8601, rfc3339 or rfc3339nano (helm: the chart's values)"
)
HELP_FIX = "drop -h/-help from the operator's command and args: it only prints its usage and exits"
UNDEFINED_FIX = "drop the flag from the operator's command and args (helm: the chart's values); it defines only: "
BOOL_FIX = (
    "give the operator's bool flags their value with '=' (--enable-batch-scheduler=true or =false; Go reads "
    "1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False); a bool flag takes no separate value"
)
# apis/config/v1alpha1/config_utils.go ValidateBatchSchedulerConfig at v1.2.2, v1.3.2, v1.4.2, v1.5.1,
# v1.6.0 and v1.7.0: the names each release accepts (volcano, yunikorn, scheduler-plugins and
# kai-scheduler GetPluginName); v1.1 has no such check.
_NAMES_V1_2 = ("volcano", "yunikorn")
SCHEDULERS: dict[tuple[int, int], tuple[str, ...]] = {
    (1, 2): _NAMES_V1_2,
    (1, 3): _NAMES_V1_2,
    (1, 4): (*_NAMES_V1_2, "scheduler-plugins"),
    **dict.fromkeys(((1, 5), (1, 6), (1, 7)), (*_NAMES_V1_2, "scheduler-plugins", "kai-scheduler")),
}
BOTH_ERROR = (
    "both feature flags enable-batch-scheduler (deprecated) and batch-scheduler are set. "
    "Please use batch-scheduler only"
)


def batch_rules(
    release: tuple[int, int], gates: Mapping[str, bool], enable: bool, name: str, in_file: bool = False
) -> tuple[str, str] | None:
    """ValidateBatchSchedulerConfig (config_utils.go at the release's tag) of the operator's batch
    settings: (error, fix), or None. ``in_file``: they come from its --config file (main.go reads
    the flags only without one)."""
    if gates.get("KubernetesWAS"):
        return (WAS_ERROR, WAS_FIX) if enable or name else None
    names = SCHEDULERS.get(release)
    if names is None:
        return None
    where = "its --config file's" if in_file else "the operator's"
    enable_key, name_key = (
        ("enableBatchScheduler", "batchScheduler")
        if in_file
        else (
            "--enable-batch-scheduler",
            "--batch-scheduler",
        )
    )
    if enable and name and release >= (1, 3):
        return BOTH_ERROR, f"drop {where} {enable_key} (deprecated; helm: batchScheduler.enabled) and keep {name_key}"
    if enable or not name or name in names:
        return None
    return f"scheduler is not supported, name={name}", (
        f"set {where} {name_key} (helm: batchScheduler.name) to one of {', '.join(names)}, or leave it out"
    )


@dataclass(frozen=True)
class OperatorGates:
    """The running operator's release and gates, each None where akscli cannot know it; ``problem``:
    why the operator cannot start (its --feature-gates refused, or a start-up check of main.go
    fails), then the gates are not believed; ``fix``: what to change."""

    release: tuple[int, int] | None = None
    gates: Mapping[str, bool] = field(default_factory=dict)
    problem: str | None = None
    fix: str | None = None

    def gate(self, name: str) -> bool | None:
        """A gate's value; off where the release lacks it; None when the release is not known."""
        if self.problem is not None:
            return None
        if name in self.gates:
            return self.gates[name]
        return None if self.release is None else False


def operator_argv(container: Mapping[str, Any]) -> list[str]:
    """The operator's command-line arguments after its program's name: the container's command
    past its first word, then its args (with no command, the image's ENTRYPOINT ["/manager"],
    ray-operator/Dockerfile)."""
    return [str(w) for w in [*(container.get("command") or [])[1:], *(container.get("args") or [])]]


CONFIG_FIX = (
    "fix the operator's --config file (helm: configuration in the chart's values, the <release>-config "
    "ConfigMap): YAML a config.ray.io/v1alpha1 Configuration decodes from, under the path --config names"
)
# (main.go's exitOnError message, the error): a --config file that cannot be read or decoded
ConfigError = tuple[str, str]


def container_gates(
    container: Mapping[str, Any], config: Mapping[str, Any] | ConfigError | None = None
) -> OperatorGates:
    """The gates of the KubeRay operator ``container`` runs (its image tag and flags), in main.go's
    order: flag.Parse, featuregate.Set, ValidateBatchSchedulerConfig. ``config``: the Configuration
    its --config file holds, where akscli could read it (without it, batch settings are not judged
    for an operator started with --config)."""
    release = release_of(str(container.get("image") or ""))
    where = f"KubeRay v{release[0]}.{release[1]}" if release else "KubeRay"
    defined = DEFINED_FLAGS.get(release) if release is not None else None
    numbers = {**NUMBER_FLAGS, **{name: name for name in ZAP_FLAGS}} if defined is not None else None
    flags, parse_error = go_parse(operator_argv(container), BOOL_FLAGS, defined, numbers)
    if parse_error == HELP:  # flag.CommandLine is ExitOnError: ErrHelp prints the usage and exits 0
        return OperatorGates(release, problem=f"{where} prints its usage and exits at start ({HELP})", fix=HELP_FIX)
    if parse_error is not None:  # ... any other error is printed, then os.Exit(2)
        fix = BOOL_FIX
        if parse_error.startswith("flag provided but not defined") and defined is not None:
            fix = UNDEFINED_FIX + ", ".join(f"--{name}" for name in sorted(defined))
        elif parse_error.startswith("invalid value "):
            fix = ZAP_FIX if " for flag -zap-" in parse_error else NUMBER_FIX
        return OperatorGates(release, problem=f"{where} exits at start: {parse_error}", fix=fix)
    if flags.get("config") and isinstance(config, tuple):  # read and decoded before the gates are set
        return OperatorGates(release, problem=f"{where} exits at start: {config[0]}: {config[1]}", fix=CONFIG_FIX)
    gates, error = parse_flag(flags.get("feature-gates", ""), RELEASE_GATES[release] if release is not None else None)
    if error is not None:
        return OperatorGates(
            release, problem=f"{where} refuses its --feature-gates and exits at start ({error})", fix=GATES_FIX
        )
    if flags.get("config"):  # main.go: "Flags are ignored if config file is set."
        if not isinstance(config, Mapping):
            return OperatorGates(release, gates)
        enable, name = config.get("enableBatchScheduler") is True, str(config.get("batchScheduler") or "")
    else:
        enable, name = (
            _GO_BOOLS.get(flags.get("enable-batch-scheduler", "false"), False),
            flags.get("batch-scheduler", ""),
        )
    found = batch_rules(release or (0, 0), gates, enable, name, in_file=bool(flags.get("config")))
    if found is not None:
        return OperatorGates(release, problem=f"{where} exits at start: {found[0]}", fix=found[1])
    return OperatorGates(release, gates)


def on_server(found: OperatorGates, git_version: str) -> OperatorGates:
    """``found`` on an API server whose /version gitVersion is ``git_version``: with
    SidecarSubmitterRestart on below 1.35 the operator exits at start (ray-project/kuberay v1.7.0
    ray-operator/main.go lines 210-222: utils/util.go IsK8sVersionAtLeast, ParseGeneric of the
    gitVersion; "current version V is below 1.35"). A version that does not parse: unchanged."""
    numbers = parse_generic(git_version)
    if found.gate(SIDECAR_RESTART) is not True or isinstance(numbers, str) or at_least(numbers, (1, 35, 0)):
        return found
    where = f"KubeRay v{found.release[0]}.{found.release[1]}" if found.release else "KubeRay"
    return OperatorGates(
        found.release,
        problem=f"{where} exits at start: SidecarSubmitterRestart feature gate requires K8s 1.35+ "
        f"(current version {git_version} is below 1.35)",
        fix=SIDECAR_FIX,
    )


def config_source(pod: Mapping[str, Any], path: str) -> tuple[str, str] | None:
    """(ConfigMap name, key) of the file ``path`` in the pod's first container: the configMap
    volume mounted on a folder above it (helm-chart/kuberay-operator templates/deployment.yaml
    mounts ConfigMap <release>-config on /etc/kuberay, and --config /etc/kuberay/config.yaml);
    the key is the file's name, or the one an ``items`` entry maps to it. None for another source."""
    spec = pod.get("spec") or {}
    container = (spec.get("containers") or [{}])[0]
    for mount in container.get("volumeMounts") or []:
        folder = str(mount.get("mountPath") or "").rstrip("/")
        if mount.get("subPath") or not path.startswith(folder + "/"):
            continue
        rest = path[len(folder) + 1 :]
        volume: Mapping[str, Any] = next(
            (v for v in spec.get("volumes") or [] if v.get("name") == mount.get("name")), {}
        )
        source = volume.get("configMap")
        if not isinstance(source, dict) or not source.get("name"):
            return None
        items = source.get("items")
        key = next((str(i.get("key")) for i in items or [] if i.get("path") == rest), None if items else rest)
        return (str(source["name"]), key) if key else None
    return None


def read_config(kube: Any, pod: Mapping[str, Any]) -> Mapping[str, Any] | ConfigError | None:
    """The Configuration (config.ray.io/v1alpha1, apis/config/v1alpha1/configuration_types.go) in the
    operator pod's --config file, read from the ConfigMap mounted there, or why main.go stops on it:
    the key is not in the ConfigMap ("failed to read config file", os.ReadFile's error) or the file
    does not decode ("failed to decode config file": YAML that does not parse, an apiVersion or kind
    the operator's scheme lacks, a field of the wrong type; akscli.ray.operator_config.decode, after
    ray-project/kuberay v1.7.0 ray-operator/main.go decodeConfig). Its decoder is not strict, so an
    unknown field is no error, and a file without apiVersion and kind decodes as a Configuration.
    None when there is no --config, it comes from elsewhere, the ConfigMap cannot be read, or akscli
    does not judge the file."""
    from akscli.errors import AkscliError
    from akscli.ray.operator_config import decode

    container = ((pod.get("spec") or {}).get("containers") or [{}])[0]
    path = go_parse(operator_argv(container), BOOL_FLAGS)[0].get("config")
    source = config_source(pod, path) if path else None
    if source is None:
        return None
    namespace = str((pod.get("metadata") or {}).get("namespace") or "")
    try:
        configmap = kube.get("v1", "ConfigMap", source[0], namespace)
    except AkscliError:
        return None
    data = (configmap or {}).get("data") or {}
    if configmap is None:
        return None
    if source[1] not in data:
        return "failed to read config file", f"open {path}: no such file or directory"
    return decode(str(data[source[1]]), release_of(str(container.get("image") or "")))


def pods_gates(kube: Any, pods: Sequence[Mapping[str, Any]]) -> list[OperatorGates]:
    """``container_gates`` of each operator pod's first container (with its --config file's
    Configuration, ``read_config``, for a pod started with one), then ``on_server``: the API
    server's /version is read once, only when one runs with SidecarSubmitterRestart on."""
    from akscli.errors import AkscliError

    found = [container_gates(((p.get("spec") or {}).get("containers") or [{}])[0], read_config(kube, p)) for p in pods]
    if not any(g.gate(SIDECAR_RESTART) for g in found):
        return found
    try:
        info = kube.request("GET", "/version", what="the API server's version")
    except AkscliError:
        return found
    version = str((info or {}).get("gitVersion") or "")
    return [on_server(g, version) for g in found] if version else found


def operator_gates(kube: Any) -> OperatorGates:
    """``container_gates`` of the KubeRay operator on the cluster (one LIST of its pods, by the
    label both install methods set, OPERATOR_SELECTOR; ``pods_gates``). Unknown (all None) when the
    pods cannot be listed, none is found, or they disagree; where every pod exits at start, the
    first one's ``problem``. A pod that exits at start beside one that starts is a stuck rollout
    (a Deployment rolled by RollingUpdate keeps its old pod until the new one is available:
    kubernetes/kubernetes pkg/controller/deployment/rolling.go reconcileOldReplicaSets): the old
    operator still runs, and its gates are the ones read."""
    from akscli.errors import AkscliError

    try:
        pods = list(kube.list("v1", "Pod", all_namespaces=True, label_selector=OPERATOR_SELECTOR, page_size=10))
    except AkscliError:
        return OperatorGates()
    found = pods_gates(kube, pods)
    if found and all(g.problem is not None for g in found):
        return found[0]
    found = [g for g in found if g.problem is None]
    return found[0] if found and all(g == found[0] for g in found) else OperatorGates()
