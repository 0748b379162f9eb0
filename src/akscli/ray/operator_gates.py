"""The KubeRay operator on a cluster as akscli reads it: its release (from its image tag), its
feature gates (that release's defaults, then its ``--feature-gates`` flag), and whether that flag
lets it start at all.

upstream: ray-project/kuberay ray-operator/pkg/features/features.go defaultFeatureGates at v1.2.2,
v1.3.2, v1.4.2, v1.5.0-v1.5.2, v1.6.0, v1.6.2 and v1.7.0 (v1.1.x has no gates; every Alpha gate is
off by default, every Beta gate on). ray-operator/main.go reads ``-feature-gates`` with Go's flag
package (flag.StringVar: one or two dashes, ``=VALUE`` or the next word, the last one wins) and
hands it to utilfeature.DefaultMutableFeatureGate.Set; an error there is exitOnError's
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


def feature_gates_flag(words: Sequence[str], flag: str = "feature-gates") -> str:
    """The operator's -feature-gates (or another string flag's) value as Go's flag package reads
    it (ray-operator/main.go flag.StringVar): one or two dashes, ``=VALUE`` or the next word, the
    last one given wins."""
    value, i = "", 0
    while i < len(words):
        name, eq, inline = words[i].partition("=")
        if name in (f"-{flag}", f"--{flag}"):
            if eq:
                value = inline
            elif i + 1 < len(words):
                value, i = words[i + 1], i + 1
        i += 1
    return value


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


def _bool_flag(words: Sequence[str], flag: str) -> bool:
    """A flag.BoolVar of ray-operator/main.go: ``-NAME`` sets it, ``-NAME=VALUE`` is
    strconv.ParseBool'd (a value it refuses: not set here), the last one wins."""
    value = False
    for word in words:
        name, eq, raw = word.partition("=")
        if name in (f"-{flag}", f"--{flag}"):
            value = _GO_BOOLS.get(raw, False) if eq else True
    return value


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


def container_gates(container: Mapping[str, Any]) -> OperatorGates:
    """The gates of the KubeRay operator ``container`` runs (its image tag and flag)."""
    release = release_of(str(container.get("image") or ""))
    words = [str(w) for w in [*(container.get("command") or []), *(container.get("args") or [])]]
    flag = feature_gates_flag(words)
    gates, error = parse_flag(flag, RELEASE_GATES[release] if release is not None else None)
    where = f"KubeRay v{release[0]}.{release[1]}" if release else "KubeRay"
    if error is not None:
        return OperatorGates(
            release, problem=f"{where} refuses its --feature-gates and exits at start ({error})", fix=GATES_FIX
        )
    # main.go reads the batch-scheduler flags only without --config (a config file's are not read here)
    configured = any(w.partition("=")[0] in ("-config", "--config") for w in words)
    batch = feature_gates_flag(words, "batch-scheduler") or _bool_flag(words, "enable-batch-scheduler")
    if gates.get("KubernetesWAS") and batch and not configured:
        return OperatorGates(release, problem=f"{where} exits at start: {WAS_ERROR}", fix=WAS_FIX)
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


def pods_gates(kube: Any, pods: Sequence[Mapping[str, Any]]) -> list[OperatorGates]:
    """``container_gates`` of each operator pod's first container, then ``on_server``: the API
    server's /version is read once, only when one runs with SidecarSubmitterRestart on."""
    from akscli.errors import AkscliError

    found = [container_gates(((p.get("spec") or {}).get("containers") or [{}])[0]) for p in pods]
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
    pods cannot be listed, none is found, or they disagree; a pod that exits at start gives its
    ``problem``."""
    from akscli.errors import AkscliError

    try:
        pods = list(kube.list("v1", "Pod", all_namespaces=True, label_selector=OPERATOR_SELECTOR, page_size=10))
    except AkscliError:
        return OperatorGates()
    found = pods_gates(kube, pods)
    broken = next((g for g in found if g.problem is not None), None)
    if broken is not None:
        return broken
    return found[0] if found and all(g == found[0] for g in found) else OperatorGates()
