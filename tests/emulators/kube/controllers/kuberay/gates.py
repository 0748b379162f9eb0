"""The feature gates of the KubeRay operator the simulator stands for, by its release and flags.

Each release's defaults are ray-project/kuberay ``ray-operator/pkg/features/features.go``
``defaultFeatureGates`` at its tag (read at v1.1.1 f460fda7, v1.2.2 0ea404b8, v1.3.2 66e4132c,
v1.4.2 34ea80e0, v1.5.0 21cf8ccd, v1.5.1 9e8a2c08, v1.5.2 9f65eca1, v1.6.0 3fe72c3c, v1.6.2 598eb66a,
v1.7.0 59d663ae and master feeaf72f, which has v1.7.0's set). v1.1.x has no features.go: no gates.
The operator reads ``-feature-gates`` with Go's flag package (ray-operator/main.go flag.StringVar,
the last one given wins) and hands it to k8s.io/component-base featuregate.Set (``Name=bool``
pairs split on commas, each value strconv.ParseBool'd, a later pair over an earlier one).
A flag featuregate.Set refuses (kubernetes/component-base v0.36.0 featuregate/feature_gate.go
SetWithLogger: "missing bool value for K", "invalid value of K=V, err: ..."; unsafeSetFromMap:
"unrecognized feature gate: K", a gate the release does not have) makes main.go exitOnError
("Unable to set flag gates for known features", os.Exit(1)): that operator never runs
(``Gates.error``). AllAlpha and AllBeta, known to every featuregate, set each Alpha (off by
default) or Beta (on) gate the flag does not name (setUnsetAlphaGates, setUnsetBetaGates).

The simulator finds the operator as akscli's users install it: a Deployment (or, with none, a
pod) labelled ``app.kubernetes.io/component=kuberay-operator`` (helm-chart/kuberay-operator
templates/_helpers.tpl and ray-operator/config/manager/manager.yaml), its first container's image
tag and arguments. With no operator object, an image tag that is no release (``nightly``, a
digest), the simulator runs v1.7.0's defaults, the release it follows. Reading happens only when a
spec uses a gated field (``Gates`` is lazy): ordinary reconciles list nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tests.emulators.kube.controllers.kuberay.config_decode import decode_config
from tests.emulators.kube.controllers.kuberay.gostrconv import flag_number_error, parse_int

COMPONENT = "kuberay-operator"

_BETA_ON_SINCE_V1_3 = {"RayClusterStatusConditions": True}
# upstream: ray-project/kuberay <tag> ray-operator/pkg/features/features.go defaultFeatureGates.
RELEASE_DEFAULTS: dict[tuple[int, int], dict[str, bool]] = {
    (1, 1): {},
    (1, 2): {"RayClusterStatusConditions": False},
    (1, 3): {**_BETA_ON_SINCE_V1_3, "RayJobDeletionPolicy": False},
    (1, 4): {**_BETA_ON_SINCE_V1_3, "RayJobDeletionPolicy": False},
    (1, 5): {
        **_BETA_ON_SINCE_V1_3,
        "RayJobDeletionPolicy": False,
        "RayMultiHostIndexing": False,
        "RayServiceIncrementalUpgrade": False,
    },
    (1, 6): {
        **_BETA_ON_SINCE_V1_3,
        "RayJobDeletionPolicy": True,
        "RayMultiHostIndexing": True,
        "RayServiceIncrementalUpgrade": False,
        "RayCronJob": False,
        "AsyncJobInfoQuery": False,
    },
    (1, 7): {
        **_BETA_ON_SINCE_V1_3,
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
SIMULATED = (1, 7)

# strconv.ParseBool, which featuregate.Set reads each value with.
_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def release(image: str) -> tuple[int, int]:
    """The (major, minor) release an operator image's tag names; the simulated one otherwise."""
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last and "@" not in image else ""
    found = re.fullmatch(r"v?(\d+)\.(\d+)\.\d+(-rc\.\d+)?", tag)
    if found is None:
        return SIMULATED
    key = (int(found[1]), int(found[2]))
    return key if key in RELEASE_DEFAULTS else SIMULATED


def set_flag(value: str, defaults: Mapping[str, bool]) -> tuple[dict[str, bool], str | None]:
    """featuregate.Set of ``value`` over a release's ``defaults``: the gates, or the error that
    stops the operator (then the defaults)."""
    pairs: dict[str, bool] = {}
    for part in value.split(","):
        if not part:
            continue
        key, eq, raw = part.partition("=")  # strings.SplitN(s, "=", 2), each side TrimSpace'd
        key, raw = key.strip(), raw.strip()
        if not eq:
            return dict(defaults), f"missing bool value for {key}"
        if raw not in _GO_BOOLS:
            parse_error = f'strconv.ParseBool: parsing "{raw}": invalid syntax'
            return dict(defaults), f"invalid value of {key}={raw}, err: {parse_error}"
        pairs[key] = _GO_BOOLS[raw]
    unknown = next((k for k in pairs if k not in defaults and k not in ("AllAlpha", "AllBeta")), None)
    if unknown is not None:
        return dict(defaults), f"unrecognized feature gate: {unknown}"
    gates = dict(defaults)
    for special, beta in (("AllAlpha", False), ("AllBeta", True)):
        if special in pairs:
            gates.update({k: pairs[special] for k, on in defaults.items() if on is beta and k not in pairs})
    gates.update({k: v for k, v in pairs.items() if k not in ("AllAlpha", "AllBeta")})
    return gates, None


def container_problem(container: Mapping[str, Any]) -> str | None:
    """Why the operator in ``container`` exits at start (featuregate.Set's error), or None."""
    at = release(str(container.get("image") or ""))
    flags, parse_error = go_parse(argv(container), DEFINED_FLAGS.get(at))
    if parse_error is not None:
        return parse_error
    return set_flag(flags.get("feature-gates", ""), RELEASE_DEFAULTS[at])[1]


def container_gates(container: Mapping[str, Any]) -> dict[str, bool]:
    """The gates the operator in ``container`` runs with: its release's defaults, then its flag
    (the defaults alone where featuregate.Set refuses the flag: that operator is not running)."""
    flags = go_parse(argv(container))[0]
    return set_flag(flags.get("feature-gates", ""), RELEASE_DEFAULTS[release(str(container.get("image") or ""))])[0]


# ray-project/kuberay ray-operator/main.go flag.BoolVar, and controller-runtime v0.24.1
# pkg/log/zap/zap.go BindFlags' zap-devel
BOOL_FLAGS = frozenset(
    {"enable-leader-election", "forced-cluster-upgrade", "enable-batch-scheduler", "use-kubernetes-proxy"}
    | {"enable-metrics", "zap-devel"}
)
# ray-project/kuberay ray-operator/apis/config/v1alpha1/config_utils.go ValidateBatchSchedulerConfig
# at v1.2.2, v1.3.2, v1.4.2, v1.5.1,
# v1.6.0, v1.7.0: the names it accepts (each batchscheduler/*/ GetPluginName); v1.1.1 has no check.
_V1_2_NAMES = ("volcano", "yunikorn")
SCHEDULER_NAMES = {
    (1, 2): _V1_2_NAMES,
    (1, 3): _V1_2_NAMES,
    (1, 4): (*_V1_2_NAMES, "scheduler-plugins"),
    **dict.fromkeys(((1, 5), (1, 6), (1, 7)), (*_V1_2_NAMES, "scheduler-plugins", "kai-scheduler")),
}
FLAG_PARSE = ""  # start_error's msg for flag.Parse's own error (printed plain, then os.Exit(2))
# golang/go src/flag/flag.go ErrHelp: an undefined -h or -help; Parse on flag.CommandLine (ExitOnError)
# prints the usage ("Usage of /manager:" and each flag) and exits 0.
HELP = "flag: help requested"
# ray-project/kuberay ray-operator/main.go flag.*Var at v1.4.2, v1.5.1, v1.6.2, v1.7.0 (v1.5 adds qps and
# burst), and what its imports define on flag.CommandLine: kubernetes-sigs/controller-runtime
# pkg/client/config/config.go init (kubeconfig) and pkg/log/zap/zap.go BindFlags (zap-*). Older
# releases: every flag is taken (not read).
_V1_4_FLAGS = BOOL_FLAGS | {
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
}
# ray-project/kuberay ray-operator/main.go flag.IntVar (reconcile-concurrency; v1.5+ burst) and
# flag.Float64Var (v1.5+ qps); golang/go src/flag/flag.go intValue.Set, float64Value.Set (strconv's
# syntax, ported in gostrconv.py from golang/go src/strconv/atoi.go and atof.go).
NUMBER_FLAGS = {"reconcile-concurrency": "int", "burst": "int", "qps": "float64"}
# kubernetes-sigs/controller-runtime pkg/log/zap/flags.go (v0.21.0, v0.22.1, v0.22.4, v0.24.1: the go.mod
# of kuberay v1.4.2 to v1.7.0, the same Set methods): levelStrings, stackLevelStrings and the encoder and
# time-encoding switches, each over strings.ToLower(flagValue), and each Set's error text.
ZAP_VALUES = {
    "zap-log-level": ({"debug", "info", "error", "panic"}, "invalid log level"),
    "zap-stacktrace-level": ({"info", "error", "panic"}, "invalid stacktrace level"),
    "zap-encoder": ({"json", "console"}, "invalid encoder value"),
    "zap-time-encoding": (
        {"rfc3339nano", "rfc3339", "iso8601", "millis", "nanos", "epoch"},
        "invalid time-encoding value",
    ),
}


def zap_set_error(name: str, value: str) -> str | None:
    """The zap flag's Set error for ``value``, or None. strings.ToLower maps each rune with
    unicode.ToLower (one rune each: U+0130 becomes "i"); levelFlag.Set falls back to strconv.Atoi
    (base 10, one sign, int64) and takes a result above 0."""
    words, text = ZAP_VALUES[name]
    lowered = "".join("i" if ch == "\u0130" else ch.lower() for ch in value)
    if lowered in words:
        return None
    if name == "zap-log-level":
        number, error = parse_int(value, base=10)
        if error is None and number > 0:
            return None
    return f'{text} "{value}"'


DEFINED_FLAGS = {(1, 4): _V1_4_FLAGS, **dict.fromkeys(((1, 5), (1, 6), (1, 7)), _V1_4_FLAGS | {"qps", "burst"})}


def argv(container: Mapping[str, Any]) -> list[str]:
    """os.Args[1:] of the operator: its command past the program, then its args (no command: the
    image's ENTRYPOINT ["/manager"], ray-operator/Dockerfile)."""
    return [str(w) for w in [*(container.get("command") or [])[1:], *(container.get("args") or [])]]


def _program(container: Mapping[str, Any]) -> str:
    """os.Args[0]: the command's first word, else the image's ENTRYPOINT (ray-operator/Dockerfile)."""
    return str((container.get("command") or ["/manager"])[0])


def go_parse(
    words: Sequence[str], defined: frozenset[str] | set[str] | None = None
) -> tuple[dict[str, str], str | None]:
    """flag.CommandLine.Parse (golang/go src/flag/flag.go parseOne, Parse): the last value of each
    flag (a bool flag alone is "true"), stopping before the first non-flag word or after "--"; or the
    error failf prints to stderr before os.Exit(2) (a bad bool: boolValue.Set's errParse; a flag not
    in ``defined``: "flag provided but not defined"), or HELP for an undefined -h/-help (exit 0).
    ``defined`` None: a flag main.go does not define is read as a string flag."""
    values: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        if len(word) < 2 or word[0] != "-" or word == "--":
            break
        name = word[2:] if word[1] == "-" else word[1:]
        if not name or name[0] in "-=":
            return values, f"bad flag syntax: {word}"
        name, eq, value = name.partition("=")
        i += 1
        if defined is not None and name not in defined:
            return values, HELP if name in ("h", "help") else f"flag provided but not defined: -{name}"
        if name in BOOL_FLAGS:
            if eq and value not in _GO_BOOLS:
                return values, f"invalid boolean value {json.dumps(value, ensure_ascii=False)} for -{name}: parse error"
            values[name] = value if eq else "true"
            continue
        if not eq:
            if i >= len(words):
                return values, f"flag needs an argument: -{name}"
            value, i = words[i], i + 1
        # parseOne: flag.Value.Set's error, "invalid value %q for flag -%s: %v" (judged releases only)
        problem = None
        if defined is not None and name in NUMBER_FLAGS:
            problem = flag_number_error(NUMBER_FLAGS[name], value)
        elif defined is not None and name in ZAP_VALUES:
            problem = zap_set_error(name, value)
        if problem is not None:
            return values, f"invalid value {json.dumps(value, ensure_ascii=False)} for flag -{name}: {problem}"
        values[name] = value
    return values, None


def batch_error(at: tuple[int, int], gates: Mapping[str, bool], enable: bool, name: str) -> str | None:
    """ValidateBatchSchedulerConfig (config_utils.go at the release's tag): its error, or None."""
    if gates.get("KubernetesWAS"):
        if enable or name:
            return (
                "the KubernetesWAS feature gate cannot be combined with --batch-scheduler or --enable-batch-scheduler"
            )
        return None
    names = SCHEDULER_NAMES.get(at)
    if names is None:
        return None
    if enable and name and at >= (1, 3):
        return (
            "both feature flags enable-batch-scheduler (deprecated) and batch-scheduler are set. "
            "Please use batch-scheduler only"
        )
    if enable or not name or name in names:
        return None
    return f"scheduler is not supported, name={name}"


def start_error(
    container: Mapping[str, Any], read_file: Callable[[str], str | None] | None = None
) -> tuple[str, str] | None:
    """Why the operator in ``container`` exits at start, as ray-operator/main.go (v1.7.0 59d663ae,
    lines 112-222) stops: (msg, err). In main.go's order: flag.Parse's error (msg FLAG_PARSE: Go's
    flag package prints err and exits 2); featuregate.Set's ("Unable to set flag gates for known
    features"); apis/config/v1alpha1/config_utils.go ValidateBatchSchedulerConfig's (KubernetesWAS
    with a batch scheduler; both batch settings; a scheduler name the release does not know) of the
    flags, or with --config of the Configuration ``read_file(path)`` gives (not judged where it
    gives None); SidecarSubmitterRestart on an API server below 1.35 (utils/util.go
    GetKubernetesVersion, IsK8sVersionAtLeast: ParseGeneric of its gitVersion, discovery.VERSION_INFO)."""
    at = release(str(container.get("image") or ""))
    flags, parse_error = go_parse(argv(container), DEFINED_FLAGS.get(at))
    if parse_error is not None:
        return FLAG_PARSE, parse_error
    config: Mapping[str, Any] | None = {
        "enableBatchScheduler": _GO_BOOLS.get(flags.get("enable-batch-scheduler", "false")),
        "batchScheduler": flags.get("batch-scheduler", ""),
    }
    if flags.get("config"):  # "Flags are ignored if config file is set." Read and decoded first.
        path = flags["config"]
        try:
            text = read_file(path) if read_file is not None else None
        except FileNotFoundError:  # os.ReadFile's *PathError
            return "failed to read config file", f"open {path}: no such file or directory"
        config, decode_error = decode_config(text, at) if text is not None else (None, None)
        if decode_error is not None:
            return "failed to decode config file", decode_error
    gates, error = set_flag(flags.get("feature-gates", ""), RELEASE_DEFAULTS[at])
    if error is not None:
        return "Unable to set flag gates for known features", error
    if config is not None:
        enable, name = config.get("enableBatchScheduler") is True, str(config.get("batchScheduler") or "")
        batch = batch_error(at, gates, enable, name)
        if batch is not None:
            return "batch scheduler configs validation failed", batch
    if gates.get("SidecarSubmitterRestart"):
        from tests.emulators.kube.controllers.kuberay.validation import parse_generic
        from tests.emulators.kube.discovery import VERSION_INFO

        served = str(VERSION_INFO["gitVersion"])
        numbers = parse_generic(served)
        if isinstance(numbers, str):
            return "Failed to compare K8s version.", numbers
        if numbers + [0] * max(0, 3 - len(numbers)) < [1, 35, 0]:
            return "SidecarSubmitterRestart feature gate requires K8s 1.35+", f"current version {served} is below 1.35"
    return None


def config_reader(cluster: Any, namespace: str, spec: Mapping[str, Any]) -> Callable[[str], str | None]:
    """A file of the pod's first container as the kubelet mounts it from a configMap volume (the
    key named by the path under the mount, or by an ``items`` entry; helm-chart/kuberay-operator
    templates/deployment.yaml mounts ConfigMap <name>-config on /etc/kuberay); None for a file
    from any other source."""

    def read(path: str) -> str | None:
        container = (spec.get("containers") or [{}])[0]
        for mount in container.get("volumeMounts") or []:
            folder = str(mount.get("mountPath") or "").rstrip("/")
            if mount.get("subPath") or not path.startswith(folder + "/"):
                continue
            rest = path[len(folder) + 1 :]
            volume = next((v for v in spec.get("volumes") or [] if v.get("name") == mount.get("name")), {})
            source = volume.get("configMap") or {}
            configmap = cluster.get("v1", "ConfigMap", namespace, str(source.get("name"))) if source else None
            items = source.get("items")
            key = next((i.get("key") for i in items or [] if i.get("path") == rest), None if items else rest)
            data = (configmap or {}).get("data") or {}
            if configmap is not None and key not in data:
                # The kubelet projects only the ConfigMap's keys: this file is not there.
                raise FileNotFoundError(path)
            return str(data[key]) if key in data else None
        return None

    return read


def exit_log_line(msg: str, error: str, ts: str) -> str:
    """exitOnError's line: setupLog.Error(err, msg) through controller-runtime's zap logger with
    KubeRay's JSON encoder (main.go newLogEncoder: zap.NewProductionEncoderConfig, ISO8601 time;
    the logger named "setup"; zapr puts err under "error"). The stacktrace zap adds at Error level
    names Go source lines of the operator's build and is left out."""
    return json.dumps(
        {"level": "error", "ts": ts, "logger": "setup", "msg": msg, "error": error}, separators=(",", ":")
    )


def exits_at_start(spec: Mapping[str, Any], cluster: Any = None, namespace: str = "") -> tuple[str, int] | None:
    """The log line of a pod whose first container runs a KubeRay operator image (helm-chart/
    kuberay-operator values.yaml image.repository quay.io/kuberay/operator) and exits at start
    (``start_error``; its --config file read from the ConfigMap mounted in ``namespace``), with its
    exit code: exitOnError's JSON line and 1, or flag.Parse's plain error and 2 (the usage text Go
    prints after it, every flag's help, is left out). None for any other pod. The workload
    controllers' kubelets ask this of each pod they start (pods.py)."""
    import datetime

    container = ((spec.get("containers") or [None])[0]) or {}
    name = str(container.get("image") or "").split("@")[0]
    if ":" in name.rsplit("/", 1)[-1]:
        name = name.rsplit(":", 1)[0]
    if not name.endswith("kuberay/operator"):
        return None
    found = start_error(container, config_reader(cluster, namespace, spec) if cluster is not None else None)
    if found is None:
        return None
    if found[0] == FLAG_PARSE:
        # ErrHelp: the usage on stderr and os.Exit(0) (each flag's help lines are left out)
        return (f"Usage of {_program(container)}:", 0) if found[1] == HELP else (found[1], 2)
    # zapcore.ISO8601TimeEncoder: "2006-01-02T15:04:05.000Z0700"
    ts = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return exit_log_line(*found, ts), 1


def _operator_container(cluster: Any) -> Mapping[str, Any] | None:
    """The first container of the operator's pod template (helm-chart/kuberay-operator
    templates/deployment.yaml labels the template with the component), else of its pod."""
    for deployment in cluster.list("apps/v1", "Deployment"):
        template = (deployment.get("spec") or {}).get("template") or {}
        if ((template.get("metadata") or {}).get("labels") or {}).get("app.kubernetes.io/component") == COMPONENT:
            return ((template.get("spec") or {}).get("containers") or [None])[0]
    for pod in cluster.list("v1", "Pod", label_selector=f"app.kubernetes.io/component={COMPONENT}"):
        return ((pod.get("spec") or {}).get("containers") or [None])[0]
    return None


class Gates:
    """The running operator's release and gates, read from the cluster the first time one is asked for."""

    def __init__(
        self, cluster: Any = None, gates: Mapping[str, bool] | None = None, at: tuple[int, int] = SIMULATED
    ) -> None:
        self._cluster = cluster
        self._gates = dict(gates) if gates is not None else None
        self._release = at

    def _read(self) -> dict[str, bool]:
        if self._gates is None:
            container = (_operator_container(self._cluster) if self._cluster is not None else None) or {}
            self._release = release(str(container.get("image") or ""))
            self._gates = container_gates(container)
        return self._gates

    def on(self, name: str) -> bool:
        return self._read().get(name, False)

    def release(self) -> tuple[int, int]:
        """(major, minor) of the operator's release."""
        self._read()
        return self._release


def at_release(image: str, *args: str) -> Gates:
    """The gates of an operator container running ``image`` with ``args`` (for tests)."""
    return Gates(gates=container_gates({"image": image, "args": list(args)}), at=release(image))


DEFAULT = Gates(gates=RELEASE_DEFAULTS[SIMULATED])
