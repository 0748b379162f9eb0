"""The checks of ``model deploy`` flags that judge a value alone: one function per flag, and
``alone()``, the table of them by the command's parameter name.

The deploy (cli/model_deploy.py deploy_cmd, plan_view.plan_from_flags, deploy.DeployRequest.check)
and ``--reuse-values`` (reuse.check_given: the values typed with it, before the revision is read)
call these same functions, so a range or a choice changed here changes both. Checks that weigh
one option against another stay in the deploy. Plain logic: no Typer, no rich.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from akscli import validate
from akscli.errors import UsageError
from akscli.model import kinds

# Azure region names are lower-case letters and digits (eastus, westus3); '-' is tolerated inside:
# 1 to 50 characters, the first and last a letter or digit (what ^[a-z0-9]([a-z0-9-]{0,48}[a-z0-9])?$
# says, checked without compiling it: 0.15 ms of every `model plan`, which checks its default region).
_REGION_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def runtime(value: str) -> str:
    return validate.choice(value, kinds.RUNTIMES, "--runtime")


def provider(value: str) -> str:
    return validate.choice(value, kinds.AIRUNWAY_PROVIDER_CHOICES, "--provider")


# The runtimes whose model has a Service named after the deployment: KAITO's Workspace Service NAME
# and its headless NAME-headless (kaito-project/kaito v0.12.0 pkg/workspace/manifests/manifests.go
# GenerateServiceManifest, GenerateHeadlessServiceManifest), an InferenceSet's Workspaces NAME-xxxxx
# (pkg/utils/inferenceset/inferenceset.go NewWorkspaceForInferenceSet) and akscli's Service NAME over
# the set (templates/model/kaito-inferenceset.yaml.j2), akscli's vLLM Service NAME
# (templates/model/vllm.yaml.j2).
SERVICE_NAMED_RUNTIMES = ("kaito", "vllm")


def service_name(name: str, runtime: str) -> str:
    """A deployment name its Service can carry: a Service name is a DNS-1035 label, which starts with
    a letter (kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateServiceName =
    apimachinery NameIsDNS1035Label). KAITO's webhook admits a Workspace or InferenceSet named with a
    leading digit (a DNS-1123 label: kaito-project/kaito v0.12.0 api/v1beta1/workspace_validation.go
    and inferenceset_validation.go Validate), then its ensureService create is refused on every
    reconcile (pkg/workspace/controllers/workspace_controller.go), so the model never serves."""
    if runtime not in SERVICE_NAMED_RUNTIMES or not name or name[0].isalpha():
        return name
    who = "KAITO's Service" if runtime == "kaito" else "its Service"
    raise UsageError(
        f"invalid model deployment name {name!r}: {who} is named after it, and a Service name must start "
        "with a letter (a DNS-1035 label)",
        hint=f"for example: m-{name}"[: len("for example: ") + 50].rstrip("-"),
    )


def replicas(value: int) -> int:
    return validate.integer(value, "--replicas", 0, 1000)


def queue_threshold(value: int) -> int:
    return validate.integer(value, "--queue-threshold", 1, 10_000)


def clusters(value: int) -> int:
    return validate.integer(value, "--clusters", 1, 1000)


def access_secret(value: str) -> str:
    # a Secret's name is a DNS-1123 subdomain (kubernetes/kubernetes pkg/apis/core/validation/validation.go
    # ValidateSecretName = NameIsDNSSubdomain): hf-token.v1 is one
    return validate.subdomain(value, "--access-secret")


def autoscale(value: str) -> tuple[int, int]:
    from akscli.model import deploy_flags  # here: deploy's flags; `model plan` loads this module too

    return deploy_flags.parse_autoscale(value)


def gateway(value: str) -> tuple[str, str | None]:
    from akscli.model import deploy_flags

    return deploy_flags.parse_gateway(value)


def context(value: int, flag: str = "--max-model-len") -> int:
    """The context length; ``model plan`` calls its flag --context."""
    return validate.integer(value, flag, 128, 100_000_000)


def concurrency(value: int) -> int:
    return validate.integer(value, "--concurrency", 1, 100_000)


def region(value: str) -> str:
    """An Azure region name, lower-cased."""
    region = value.strip().lower()
    if not (0 < len(region) <= 50 and "-" not in (region[0], region[-1]) and _REGION_CHARACTERS.issuperset(region)):
        raise UsageError(
            f"invalid --region {value!r}: an Azure region name is letters and digits",
            hint="for example --region eastus (all of them: az account list-locations -o table)",
        )
    return region


def budget(value: float) -> float:
    return validate.number(value, "--budget", 1, 100_000_000)


def hostname(value: str) -> str:
    return validate.subdomain(value, "--hostname")


def route_timeout(value: str) -> str:
    """--route-timeout: the HTTPRoute rule's timeouts.request, as the CRD takes it: a Gateway API
    Duration (kubernetes-sigs/gateway-api v1.6.1 apis/v1/shared_types.go, GEP-2257), the pattern
    templates/model/httproute.values.yaml declares for it (the one check `render --set` makes too),
    or ``none``: no ``timeouts`` on the rule (Gateway API CRDs before v1.2.0 have no such field)."""
    from akscli import render

    if not isinstance(value, str) or not render.value_matches("model/httproute", "request_timeout", value):
        raise UsageError(
            f"invalid --route-timeout {value!r}: a Gateway API duration is 1 to 4 parts of up to 5 digits, "
            "each with h, m, s or ms",
            hint="for example --route-timeout 300s, 10m or 1h30m (0s: no timeout; none: leave the field out)",
        )
    return value


def endpoint_picker(value: str) -> str:
    return validate.name(value, "--endpoint-picker")


def staged_strategy(value: str) -> str:
    return validate.name(value, "--staged-strategy")


def member(values: Sequence[str]) -> list[str]:
    return [validate.name(m, "--member") for m in values]


def image(value: str) -> str:
    return validate.image(value, "--image")


def deploy_image(value: str, runtime_name: str, provider_name: str) -> str:
    """``model deploy --image``, before the Hub or the cluster is read: the refusal
    request.DeployRequest._check_runtime_flags makes, where the runtime runs no vLLM image, then ``image``."""
    if runtime_name == "vllm" or (runtime_name == "airunway" and provider_name in kinds.AIRUNWAY_VLLM_IMAGE_PROVIDERS):
        return image(value)
    where = f"--runtime {runtime_name}" + (f" --provider {provider_name}" if runtime_name == "airunway" else "")
    raise UsageError(
        f"--image does not apply to {where}: only --runtime vllm and AI Runway's vllm and llmd "
        "providers run the vLLM image it names",
        hint="drop --image",
    )


def plan_image(value: str, runtime_name: str) -> str:
    """``model plan --image``: the check deploy makes (request.DeployRequest._check_runtime_flags, then
    ``image``), before anything is sent. plan's runtimes are kaito and vllm; only vllm runs the image."""
    from akscli.model import planning

    if validate.choice(runtime_name, planning.RUNTIMES, "--runtime") != "vllm":
        raise UsageError(
            f"--image does not apply to --runtime {runtime_name}: only --runtime vllm runs the vLLM image it names",
            hint="drop --image, or add --runtime vllm",
        )
    return image(value)


def trust_remote_code(runtime_name: str, provider_name: str = "kaito") -> None:
    """``--trust-remote-code`` shapes the vLLM command line of akscli's Deployment, or of AI Runway's vllm,
    llmd, kuberay and dynamo providers through spec.engine.trustRemoteCode (each appends vLLM's
    ``--trust-remote-code``: ai-runway/airunway v0.7.0 providers/{vllm,llmd,kuberay,dynamo}/transformer.go),
    checked before the Hub or the cluster is read. KAITO's preset for a Hub model already passes it
    (kaito-project/kaito 056b8280b presets/workspace/models/vllm_model.go vLLMCompatibleModel.
    GetInferenceParameters: ``runParamsVLLM["trust-remote-code"] = ""``), and a Workspace has no field to
    ask for it; AI Runway's kaito provider does not read the field (providers/kaito/transformer.go)."""
    if runtime_name == "kaito" or (runtime_name == "airunway" and provider_name == "kaito"):
        raise UsageError(
            "--trust-remote-code does not apply to KAITO: its vLLM preset for a Hugging Face model already "
            "passes --trust-remote-code",
            hint="drop --trust-remote-code",
        )


def storage_class(value: str) -> str:
    # a StorageClass's name, and a claim's storageClassName, is a DNS-1123 subdomain
    # (kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateClassName = NameIsDNSSubdomain)
    return validate.subdomain(value, "--storage-class")


def prometheus(value: str, *, managed: bool = False) -> None:
    """The URL's shape; with ``managed`` (known once the cluster is read) an Azure Monitor one."""
    from akscli.model import monitoring

    monitoring.check_query_url(value, managed=managed)


def vm_size(value: str) -> object:
    """A known GPU size (planning.known_sku: the deploy reaches it through check_vm_size)."""
    from akscli.model import planning

    return planning.known_sku(value)


def price_file(value: str) -> object:
    """A readable price file (skus.read_price_file: the deploy reaches it through skus.load)."""
    from akscli.model import skus

    return skus.read_price_file(value)


def alone() -> dict[str, Callable[[Any], object]]:
    """Parameter name -> its check, in the order the deploy meets them. Built when called, so
    each entry is the module's function of that name now."""
    return {
        "runtime": runtime,
        "provider": provider,
        "replicas": replicas,
        "queue_threshold": queue_threshold,
        "clusters": clusters,
        "access_secret": access_secret,
        "autoscale": autoscale,
        "gateway": gateway,
        "context": context,
        "concurrency": concurrency,
        "region": region,
        "budget": budget,
        "hostname": hostname,
        "route_timeout": route_timeout,
        "endpoint_picker": endpoint_picker,
        "staged_strategy": staged_strategy,
        "member": member,
        "image": image,
        "storage_class": storage_class,
        "prometheus": prometheus,
        "vm_size": vm_size,
        "price_file": price_file,
    }
