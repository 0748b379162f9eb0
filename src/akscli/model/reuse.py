"""The options a deploy records, and `model deploy --reuse-values`: start from the options of the
latest recorded revision, the options given now winning.

Every deploy renders from its own flags: a flag not given takes its default, so `model deploy
phi-4 --replicas 2` after `--max-model-len 16384` goes back to the plan's context. Helm users meet
the same with `helm upgrade` (its values reset unless `--reuse-values`; upstream: helm/helm
pkg/action/upgrade.go reuseValues). akscli records the deploy options given on the command line
in each revision (params.json ``options``, flag -> value), so that a later deploy can reuse them,
and so that a deploy without --reuse-values can say which of them go back to their defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from akscli.errors import NotFoundError, UsageError
from akscli.model import bounded

# The deploy options a revision records and --reuse-values reuses: the command's parameter name,
# its flag, and the JSON types its value may have. Not recorded: where it goes and how it is
# applied (-n, --context, --fleet-hub, --dry-run, --wait, --timeout, -y, --recreate,
# --create-namespace, --force-conflicts, -o, --subscription) and the flags that describe a model
# the catalog lacks (the MODEL argument is given each time, and with it its description).
# --hub-config is recorded: it says where the description's missing values come from, so a
# redeploy with --reuse-values reads them from the Hub again.
REUSABLE: dict[str, tuple[str, tuple[type, ...]]] = {
    "runtime": ("--runtime", (str,)),
    "provider": ("--provider", (str,)),
    "replicas": ("--replicas", (int,)),
    "access_secret": ("--access-secret", (str,)),
    "autoscale": ("--autoscale", (str,)),
    "prometheus": ("--prometheus", (str,)),
    "queue_threshold": ("--queue-threshold", (int,)),
    "expose": ("--expose", (bool,)),
    "gateway": ("--gateway", (str,)),
    "hostname": ("--hostname", (str,)),
    "route_timeout": ("--route-timeout", (str,)),
    "inference_pool": ("--inference-pool", (bool,)),
    "endpoint_picker": ("--endpoint-picker", (str,)),
    "image": ("--image", (str,)),
    "storage_class": ("--storage-class", (str,)),
    "trust_remote_code": ("--trust-remote-code", (bool,)),
    "vm_size": ("--vm-size", (str,)),
    "context": ("--max-model-len", (int,)),
    "concurrency": ("--concurrency", (int,)),
    "region": ("--region", (str,)),
    "budget": ("--budget", (int, float)),
    "price_file": ("--price-file", (str,)),
    "member": ("--member", (list,)),
    "clusters": ("--clusters", (int,)),
    "staged_strategy": ("--staged-strategy", (str,)),
    "hub_config": ("--hub-config", (bool,)),
}
_BY_FLAG = {flag: param for param, (flag, _) in REUSABLE.items()}


@dataclass(frozen=True)
class DeployOptions:
    """The options of this deploy: ``given`` on the command line, ``reused`` from the latest
    revision (--reuse-values), and the ``defaults`` of those not given (parameter name -> value)."""

    given: dict[str, Any] = field(default_factory=dict)
    reused: dict[str, Any] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)

    def recorded(self) -> dict[str, Any]:
        """What the revision records: flag -> value, given and reused alike."""
        merged = self.reused | self.given
        # A switch given false (--expose=false) is its default: nothing to record or reuse.
        return {REUSABLE[p][0]: merged[p] for p in REUSABLE if p in merged and merged[p] is not False}


def _shown(flag: str, value: Any, width: int | None = None) -> str:
    """The option as typed; ``width``: each value shortened to it (a warning's line)."""
    if value is True:
        return flag

    def shown(v: Any) -> str:
        return bounded.value(str(v), width) if width else str(v)

    if isinstance(value, list):
        each = [f"{flag} {shown(v)}" for v in value]
        return bounded.listed(each, 2, " ") if width else " ".join(each)
    return f"{flag} {shown(value)}"


def recorded_options(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The options a revision recorded, None for a revision recorded before they were."""
    options = params.get("options")
    return dict(options) if isinstance(options, Mapping) else None


def options_line(params: Mapping[str, Any]) -> str | None:
    """A revision's recorded options as they were typed (`model history -o wide`, OPTIONS), in
    the order the record keeps them; None for a revision recorded before options were."""
    options = recorded_options(params)
    if options is None:
        return None
    return " ".join(_shown(flag, value) for flag, value in options.items()) or "-"


def replicas_shown(params: Mapping[str, Any]) -> str:
    """`model history`'s REPLICAS: the autoscaler's MIN:MAX where one scales the model (the count
    is the autoscaler's, --replicas only the first one), else --replicas, 1 when not given."""
    autoscale = params.get("autoscale")
    if isinstance(autoscale, list) and len(autoscale) == 2:
        return f"{autoscale[0]}:{autoscale[1]}"
    replicas = params.get("replicas")
    return "1" if replicas is None else str(replicas)


def check_given(given: Mapping[str, Any]) -> None:
    """Refuse a value given on the command line that is bad on its own, before --reuse-values
    reads the cluster: the deploy's own check of it (model/flag_checks.py, which the deploy
    calls too). The checks that weigh one option against another wait for the reused values, in
    the deploy itself."""
    from akscli.model import flag_checks

    for param, check in flag_checks.alone().items():
        if given.get(param) is not None:
            check(given[param])


def reuse(history: Sequence[Any], name: str, namespace: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """The options of the latest revision not given now (parameter name -> value), each checked
    to hold the type its flag takes: a record is a ConfigMap anyone with access may have edited."""
    if not history:
        raise NotFoundError(
            f"--reuse-values: {name} has no recorded revision in namespace {namespace}",
            hint="deploy it once without --reuse-values (or pass -n NAMESPACE)",
        )
    latest = history[-1]
    options = recorded_options(latest.params)
    if options is None:
        raise UsageError(
            f"--reuse-values: revision {latest.revision} of {name} records no options (an older akscli made it)",
            hint=f"give its options once more (see akscli model history {name} -n {namespace} -o yaml); "
            "each deploy from now on records them",
        )
    reused: dict[str, Any] = {}
    for flag, value in options.items():
        param = _BY_FLAG.get(flag)
        if param is None or param in given:
            continue
        types = REUSABLE[param][1]
        bad = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if bad or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
            raise UsageError(
                f"--reuse-values: revision {latest.revision} of {name} records {flag} {value!r}, "
                "which is not a value of that flag",
                hint=f"give {flag} on the command line, or deploy without --reuse-values",
            )
        reused[param] = value
    return reused


def going_back(history: Sequence[Any], options: DeployOptions, resolved: Mapping[str, Any] | None = None) -> str | None:
    """A warning naming each option the latest revision recorded that this deploy neither gives
    nor reuses, and whose recorded value is not the default it goes back to; None if none.
    ``resolved``: what this deploy worked out for an option whose default is not a constant (the
    plan's --max-model-len, "the model's limit, at most 8192", and its --vm-size): a recorded
    value equal to it changes nothing, so it is not named."""
    if not history:
        return None
    recorded = recorded_options(history[-1].params) or {}
    dropped = []
    for flag, value in recorded.items():
        param = _BY_FLAG.get(flag)
        if param is None or param in options.given or param in options.reused:
            continue
        if param in options.defaults and options.defaults[param] == value:
            continue
        if resolved and param in resolved and resolved[param] == value:
            continue
        dropped.append(_shown(flag, value, 24))
    if not dropped:
        return None
    it, goes = ("it goes", "its default") if len(dropped) == 1 else ("they go", "their defaults")
    for shown in (3, 2, 1):  # as many as the line holds (bounded.WIDTH)
        line = (
            f"revision {history[-1].revision} has {bounded.listed(dropped, shown)}, not given now: {it} back to "
            f"{goes} (--reuse-values keeps the latest revision's options)"
        )
        if len(line) <= bounded.WIDTH:
            break
    return line
