"""The Job controller's pure rules, as kube-controller-manager applies them: a Job's pod failure
policy, its success policy, the completion and failure indexes of an Indexed Job and the pod
failure back-off. No cluster access here; jobs.py calls these."""

from __future__ import annotations

from typing import Any

# upstream: kubernetes/kubernetes pkg/controller/job/indexed_job_utils.go (the annotation and,
# with PodIndexLabel, GA in 1.32, the label of the same name)
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
# upstream: k8s.io/api batch/v1 types.go JobIndexFailureCountAnnotation,
# JobIndexIgnoredFailureCountAnnotation (backoffLimitPerIndex, GA in 1.33)
INDEX_FAILURE_COUNT = "batch.kubernetes.io/job-index-failure-count"
INDEX_IGNORED_FAILURE_COUNT = "batch.kubernetes.io/job-index-ignored-failure-count"

# upstream: kubernetes/kubernetes 6ae037f1 pkg/controller/job/job_controller.go
# DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff
DEFAULT_BACKOFF_S = 10.0
MAX_BACKOFF_S = 600.0


def completion_index(pod: dict[str, Any]) -> int | None:
    """The pod's completion index from its annotation; None when absent or not a number >= 0
    (upstream: indexed_job_utils.go getCompletionIndex)."""
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(COMPLETION_INDEX)
    try:
        index = int(str(value))
    except ValueError:
        return None
    return index if index >= 0 else None


def parse_indexes(text: str | None, completions: int) -> set[int]:
    """ "0-2,5" -> {0, 1, 2, 5}, dropping indexes at or past ``completions`` and any interval that
    is not a number (upstream: indexed_job_utils.go parseIndexesFromString)."""
    out: set[int] = set()
    for part in (text or "").split(","):
        first, _, last = part.partition("-")
        try:
            lo = int(first)
            hi = int(last) if last else lo
        except ValueError:
            continue
        if lo >= completions:
            break
        out.update(range(lo, min(hi, completions - 1) + 1))
    return out


def format_indexes(indexes: set[int]) -> str:
    """{0, 1, 2, 5} -> "0-2,5"; two in a row are written "3,4" (upstream: indexed_job_utils.go
    orderedIntervals.String)."""
    parts: list[str] = []
    ordered = sorted(indexes)
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        first, last = ordered[i], ordered[j]
        if last == first:
            parts.append(str(first))
        elif last == first + 1:
            parts.append(f"{first},{last}")
        else:
            parts.append(f"{first}-{last}")
        i = j + 1
    return ",".join(parts)


def _terminated_match(statuses: list[dict[str, Any]], requirement: dict[str, Any]) -> dict[str, Any] | None:
    """The first terminated container (exit code not 0) whose exit code the requirement's
    operator matches (upstream: pod_failure_policy.go getMatchingContainerFromList,
    isOnExitCodesOperatorMatching)."""
    name = requirement.get("containerName")
    values = [int(v) for v in requirement.get("values") or []]
    for status in statuses:
        terminated = (status.get("state") or {}).get("terminated")
        if terminated is None or (name is not None and status.get("name") != name):
            continue
        code = int(terminated.get("exitCode") or 0)
        if code == 0:
            continue
        operator = requirement.get("operator")
        if (operator == "In" and code in values) or (operator == "NotIn" and code not in values):
            return status
    return None


def match_pod_failure_policy(policy: dict[str, Any] | None, pod: dict[str, Any]) -> tuple[str | None, bool, str | None]:
    """(the Job's failure message for a FailJob rule, whether the failure counts against the
    backoff limit, the action of the first rule that matched) for a failed pod: rules in order,
    onExitCodes against the containers then the init containers, onPodConditions against the
    pod's conditions by type and status (upstream: kubernetes/kubernetes pkg/controller/job/
    pod_failure_policy.go matchPodFailurePolicy, matchOnExitCodes, matchOnPodConditions)."""
    if not policy:
        return None, True, None
    md = pod.get("metadata") or {}
    status = pod.get("status") or {}
    where = f"{md.get('namespace')}/{md.get('name')}"
    for index, rule in enumerate(policy.get("rules") or []):
        action = str(rule.get("action") or "")
        message = None
        if rule.get("onExitCodes") is not None:
            requirement = rule["onExitCodes"]
            container = _terminated_match(status.get("containerStatuses") or [], requirement) or _terminated_match(
                status.get("initContainerStatuses") or [], requirement
            )
            if container is None:
                continue
            code = container["state"]["terminated"].get("exitCode")
            message = (
                f"Container {container.get('name')} for pod {where} failed with exit code {code} "
                f"matching {action} rule at index {index}"
            )
        elif rule.get("onPodConditions") is not None:
            patterns = rule["onPodConditions"]
            matched = next(
                (
                    c
                    for c in status.get("conditions") or []
                    for p in patterns
                    # onPodConditions' status defaults to True (pkg/apis/batch/v1 defaults.go)
                    if c.get("type") == p.get("type") and c.get("status") == (p.get("status") or "True")
                ),
                None,
            )
            if matched is None:
                continue
            message = f"Pod {where} has condition {matched.get('type')} matching {action} rule at index {index}"
        else:
            continue
        if action == "Ignore":
            return None, False, action
        if action == "FailJob":
            return message, True, action
        if action in ("Count", "FailIndex"):
            return None, True, action
    return None, True, None


def match_success_policy(policy: dict[str, Any] | None, completions: int, succeeded: set[int]) -> str | None:
    """ "Matched rules at index N" for the first rule the succeeded indexes meet: all of its
    succeededIndexes, or succeededCount of them, or succeededCount indexes of any; None when
    none does (upstream: kubernetes/kubernetes pkg/controller/job/success_policy.go
    matchSuccessPolicy, matchSucceededIndexesRule)."""
    if not policy or not succeeded:
        return None
    for index, rule in enumerate(policy.get("rules") or []):
        count = rule.get("succeededCount")
        if rule.get("succeededIndexes") is not None:
            required = parse_indexes(str(rule["succeededIndexes"]), completions)
            if not required:
                continue
            overlap = len(required & succeeded)
            if overlap == len(required) or (count is not None and overlap >= int(count)):
                return f"Matched rules at index {index}"
        elif count is not None and len(succeeded) >= int(count):
            return f"Matched rules at index {index}"
    return None


def failure_counts(pod: dict[str, Any]) -> tuple[int, int]:
    """The pod's index failure count and ignored failure count annotations, 0 when absent or not
    a number in range (upstream: indexed_job_utils.go parseIndexFailureCountAnnotation,
    parseIndexFailureIgnoreCountAnnotation, parseInt32)."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}

    def number(key: str) -> int:
        try:
            value = int(str(annotations.get(key, "0")))
        except ValueError:
            return 0
        return value if 0 <= value <= 2**31 - 1 else 0

    return number(INDEX_FAILURE_COUNT), number(INDEX_IGNORED_FAILURE_COUNT)


def replacement_counts(policy: dict[str, Any] | None, replaced: dict[str, Any] | None) -> tuple[int, int]:
    """The failure counts a replacement pod of an index carries: the failed pod's, plus one in the
    ignored count when the policy ignores its failure, else in the failure count (upstream:
    indexed_job_utils.go getNewIndexFailureCounts)."""
    if replaced is None:
        return 0, 0
    failures, ignored = failure_counts(replaced)
    _, counts, _ = match_pod_failure_policy(policy, replaced)
    return (failures + 1, ignored) if counts else (failures, ignored + 1)


def backoff_left(failures: int, since_last_failure: float) -> float:
    """Seconds before the next pod may be created after ``failures`` failures in a row: 10 s,
    doubled per further failure, at most 10 min, less the time since the last one (upstream:
    kubernetes/kubernetes pkg/controller/job/backoff_utils.go getRemainingTimeForFailuresCount)."""
    if failures <= 0:
        return 0.0
    wait = DEFAULT_BACKOFF_S
    for _ in range(1, failures):
        wait *= 2
        if wait >= MAX_BACKOFF_S:
            wait = MAX_BACKOFF_S
            break
    return max(0.0, wait - since_last_failure)


def past_backoff_limit_on_failure(job: dict[str, Any], active: list[dict[str, Any]]) -> bool:
    """restartPolicy OnFailure: the containers of the Pending and Running pods restart in place,
    and their restarts count against backoffLimit: any restart with a limit of 0, else the sum
    reaching it (upstream: job_controller.go pastBackoffLimitOnFailure)."""
    spec = job.get("spec") or {}
    if ((spec.get("template") or {}).get("spec") or {}).get("restartPolicy") != "OnFailure":
        return False
    restarts = 0
    for pod in active:
        status = pod.get("status") or {}
        if status.get("phase") in ("Pending", "Running"):
            for key in ("initContainerStatuses", "containerStatuses"):
                restarts += sum(int(c.get("restartCount") or 0) for c in status.get(key) or [])
    limit = int(spec.get("backoffLimit", 6))
    return restarts > 0 if limit == 0 else restarts >= limit


def restarted(status: dict[str, Any], code: int, now: str) -> dict[str, Any]:
    """The kubelet's status after the containers of an OnFailure pod exited with ``code`` and
    were started again: restartCount + 1, lastState terminated with the code, running again;
    the pod stays Running (upstream: kubernetes/kubernetes pkg/kubelet/kubelet_pods.go getPhase,
    "RestartPolicy is OnFailure, and at least one in failure and in the process of restarting").
    This is the kubelet's first restart, which no back-off holds; later ones wait in
    CrashLoopBackOff first (kubelet_backoff.py; upstream: kubernetes/kubernetes
    pkg/kubelet/kuberuntime/kuberuntime_manager.go doBackOff)."""
    containers = []
    for c in status.get("containerStatuses") or []:
        running = (c.get("state") or {}).get("running") or {}
        last = {"exitCode": code, "reason": "Error", "startedAt": running.get("startedAt", now), "finishedAt": now}
        containers.append(
            {
                **c,
                "restartCount": int(c.get("restartCount") or 0) + 1,
                "lastState": {"terminated": last},
                "state": {"running": {"startedAt": now}},
            }
        )
    return {"containerStatuses": containers}
