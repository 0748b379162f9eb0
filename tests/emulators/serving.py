"""What a ready model server answers in the lab: one code path for KAITO's pods and for the pods of
akscli's own vLLM Deployment (``model deploy --runtime vllm``), both of which run vLLM's
OpenAI-compatible server.

A pod serves once it is Ready (a Service's endpoints are its selected ready pods). What it serves:

* A KAITO pod (labelled ``kaito.sh/workspace`` by its StatefulSet) serves on the inference port,
  5000 (upstream: kaito-project/kaito v0.12.0 pkg/utils/consts/consts.go PortInferenceServer),
  under KAITO's served-model-name: the InferenceSet's name for a set's member, else the last
  part of the preset's Hugging Face id, lower-cased (pkg/model/interface.go
  buildVLLMInferenceCommand; tests.emulators.kube.kaito_presets cites the rest).
* A vLLM container (``vllm serve``: the command, or the vllm/vllm-openai image, whose entrypoint
  it is; upstream: vllm-project/vllm v0.24.0 docker/Dockerfile, the vllm-openai stage's
  ``ENTRYPOINT ["vllm", "serve"]``; v0.11.0's ran the same flags through ``python3 -m
  vllm.entrypoints.openai.api_server``) serves on ``--port`` (default 8000,
  vllm/entrypoints/openai/cli_args.py) under every ``--served-model-name``, else the model
  (``vllm serve MODEL`` or ``--model``; vllm/entrypoints/openai/api_server.py builds one
  BaseModelPath per served name, and serving_models.py show_available_models lists each), and,
  with ``--enable-lora``, under each LoRA adapter ``--lora-modules`` names (``name=path`` or JSON
  with a name: cli_args.py LoRAParserAction; show_available_models lists the adapters after the
  base models). Its metrics carry the first name (vllm/config/model.py get_served_model_name).

The server answers /v1/models, /v1/chat/completions and /v1/completions, and a model name it does
not serve with vLLM's 404 (vllm/entrypoints/openai/api_server.py;
tests.emulators.kube.controllers.kaito.openai_handler) through the Service, or through the lab's
Istio gateway's Service by the HTTPRoutes attached to it
(tests.emulators.kube.controllers.gateway_dataplane), and /metrics on the
serving port, through the Service too (what keda-kaito-scaler scrapes) (in vLLM's names:
tests.emulators.kube.controllers.vllm.VllmMetrics, which cites vllm/v1/metrics/loggers.py): an
idle server's figures, which a test may change through ``Serving.figures`` (the one way a test
gives KEDA a value: the lab's Prometheus or keda-kaito-scaler scrapes them).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

VLLM_DEFAULT_PORT = 8000
KAITO_INFERENCE_PORT = 5000
VLLM_IMAGE = "vllm/vllm-openai"


class Serving:
    """The lab's model servers. ``figures(namespace, pod)`` is what a serving pod's /metrics reports
    (one VllmMetrics per pod, kept between scrapes, so a test can set its queue)."""

    def __init__(self, kube: Any) -> None:
        self.kube = kube
        self._figures: dict[tuple[str, str], Any] = {}
        # Each route rule's request counter for the lab gateway's weighted splits (gateway_dataplane.py;
        # upstream: kubernetes-sigs/gateway-api apis/v1/httproute_types.go BackendRef weight).
        self.splits: dict[Any, int] = {}
        # The requests the gateway brought to each pod, (namespace, pod): count.
        self.answered: dict[tuple[str, str], int] = {}

    def figures(self, namespace: str, pod: str) -> Any:
        from tests.emulators.kube.controllers.vllm import VllmMetrics

        obj = self.kube.cluster.get("v1", "Pod", namespace, pod)
        served = served_by(self.kube, obj) if obj else None
        if served is None:
            raise LookupError(f"pod {namespace}/{pod} serves no model (not ready, or no model server in it)")
        # vLLM labels its metrics with the first served name (vllm/config/model.py get_served_model_name).
        return self._figures.setdefault((namespace, pod), VllmMetrics(served[0][0]))

    def answering(self, namespace: str, service: str, port: str) -> Any:
        from tests.emulators.kube.controllers.gateway_dataplane import gateway_handler
        from tests.emulators.kube.controllers.kaito import openai_handler

        # upstream: kubernetes-sigs/gateway-api apis/v1/httproute_types.go (rules, backendRefs)
        through_gateway = gateway_handler(
            self.kube.cluster, namespace, service, port, self.pod_answering, self.splits, self.picked_figures
        )
        if through_gateway is not None:
            return through_gateway
        svc = self.kube.cluster.get("v1", "Service", namespace, service)
        spec = (svc or {}).get("spec") or {}
        selector = spec.get("selector") or {}
        if not selector:
            return None
        target = _target_port(spec.get("ports") or [], port)
        if target is None:
            return None
        query = ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
        for pod in self.kube.cluster.list("v1", "Pod", namespace, query):
            served = served_by(self.kube, pod)
            if served and _container_port(pod, target) == served[1]:
                return _server(openai_handler(served[0]), self.figures(namespace, pod["metadata"]["name"]).handler())
        return None

    def picked_figures(self, namespace: str, pod: str) -> tuple[float, float]:
        """What the endpoint picker scores a pod by: its requests waiting and KV-cache use."""
        figures = self.figures(namespace, pod)
        return float(figures.waiting), float(figures.kv_cache)

    def pod_answering(self, namespace: str, pod: dict[str, Any], port: int) -> Any:
        """The model server of a ready pod on ``port`` (a gateway's endpoint), or None."""
        from tests.emulators.kube.controllers.kaito import openai_handler

        served = served_by(self.kube, pod)
        if served is None or served[1] != port:
            return None
        name = pod["metadata"]["name"]
        server = _server(openai_handler(served[0]), self.figures(namespace, name).handler())

        def answer(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
            self.answered[(namespace, name)] = self.answered.get((namespace, name), 0) + 1
            return server(method, path, body)  # type: ignore[no-any-return]

        return answer

    def metrics(self, namespace: str, pod: str, port: str) -> Any:
        obj = self.kube.cluster.get("v1", "Pod", namespace, pod)
        served = served_by(self.kube, obj) if obj else None
        if served is None or _container_port(obj or {}, port) != served[1]:
            return None
        return self.figures(namespace, pod).handler()


def _server(api: Any, metrics: Any) -> Any:
    """One vLLM server's port: /metrics (vllm/entrypoints/openai/api_server.py mounts the Prometheus
    metrics app at /metrics on the API server) and the OpenAI API."""

    def handle(method: str, path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
        return (metrics if path.split("?")[0].rstrip("/").endswith("/metrics") else api)(method, path, body)  # type: ignore[no-any-return]

    return handle


def serve_models(kube: Any) -> Serving:
    """Make the lab's Services and pods answer as the model servers behind them."""
    serving = Serving(kube)
    kube.service_proxy_fallback = serving.answering
    kube.pod_proxy_fallback = serving.metrics
    return serving


def served_by(kube: Any, pod: dict[str, Any]) -> tuple[tuple[str, ...], int] | None:
    """The model names a ready pod serves and the port it serves on (None: not ready, or no model
    server in it)."""
    from tests.emulators.kube.controllers.kaito import KAITO
    from tests.emulators.kube.controllers.kaito_workload import SET_LABEL, WORKSPACE_LABEL
    from tests.emulators.kube.kaito_presets import served_model_name

    conditions = (pod.get("status") or {}).get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
        return None
    labels = pod["metadata"].get("labels") or {}
    if WORKSPACE_LABEL in labels:
        ws = kube.cluster.get(KAITO, "Workspace", pod["metadata"]["namespace"], labels[WORKSPACE_LABEL])
        preset = (((ws or {}).get("inference") or {}).get("preset") or {}).get("name")
        name = labels.get(SET_LABEL) or (served_model_name(str(preset)) if preset else None)
        return ((str(name),), KAITO_INFERENCE_PORT) if ws and name else None
    for container in (pod.get("spec") or {}).get("containers") or []:
        served = vllm_serves(container)
        if served:
            return served
    return None


def vllm_serves(container: dict[str, Any]) -> tuple[tuple[str, ...], int] | None:
    """What ``vllm serve`` in this container serves: (served model names, port), or None. Every
    ``--served-model-name`` is served, else the model (vllm/entrypoints/openai/api_server.py: one
    BaseModelPath per served name)."""
    command = [str(w) for w in container.get("command") or []]
    args = [str(w) for w in container.get("args") or []]
    if command:
        if command[:2] != ["vllm", "serve"]:
            return None
        words = command[2:] + args
    elif _repository(str(container.get("image") or "")) == VLLM_IMAGE:
        words = args
    else:
        return None
    model = _option(words, "--model")
    if words and not words[0].startswith("-"):
        model = words[0]  # the positional model of `vllm serve MODEL`
    names = tuple(_option_values(words, "--served-model-name")) or ((model,) if model else ())
    if names and "--enable-lora" in words:
        names += tuple(_lora_name(v) for v in _option_values(words, "--lora-modules"))
    port = _option(words, "--port")
    if not names:
        return None
    return names, int(port) if port and port.isdigit() else VLLM_DEFAULT_PORT


def _lora_name(value: str) -> str:
    """A LoRA adapter's name in ``--lora-modules``: ``name=path``, or JSON with a ``name``
    (upstream: vllm-project/vllm vllm/entrypoints/openai/cli_args.py LoRAParserAction)."""
    if value.lstrip().startswith("{"):
        return str(json.loads(value).get("name") or "")
    return value.split("=", 1)[0]


def _repository(image: str) -> str:
    image = image.split("@")[0]
    head, _, last = image.rpartition("/")
    repo = f"{head}/{last.split(':')[0]}" if head else last.split(":")[0]
    return repo.removeprefix("docker.io/")


def _option(words: Sequence[str], flag: str) -> str | None:
    values = _option_values(words, flag)
    return values[0] if values else None


def _option_values(words: Sequence[str], flag: str) -> list[str]:
    """An argparse option's values (``--flag V [V ...]`` or ``--flag=V``); the last one counts."""
    found: list[str] = []
    for index, word in enumerate(words):
        if word.startswith(f"{flag}="):
            found = [word.split("=", 1)[1]]
        elif word == flag:
            found = []
            for value in words[index + 1 :]:
                if value.startswith("-"):
                    break
                found.append(value)
    return found


def _target_port(ports: Sequence[dict[str, Any]], asked: str) -> int | str | None:
    """The targetPort of the Service port a proxy request names ("" is the first port)."""
    for port in ports:
        if asked in ("", str(port.get("name") or ""), str(port.get("port"))):
            target = port.get("targetPort", port.get("port"))
            return int(target) if str(target).isdigit() else str(target)
    return None


def _container_port(pod: dict[str, Any], port: int | str) -> int | None:
    """A pod port by number or by a container port's name."""
    if str(port).isdigit():
        return int(port)
    for container in (pod.get("spec") or {}).get("containers") or []:
        for p in container.get("ports") or []:
            if p.get("name") == port:
                return int(p["containerPort"])
    return None
