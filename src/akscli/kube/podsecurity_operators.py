"""The pods operators make from akscli's custom resources, predicted from the operators' code, so
that the PodSecurity preflight (akscli.kube.podsecurity) checks them before the resource is
applied. Only what the checks look at is predicted: the containers' names and securityContext,
the host namespaces and the volume sources. Where the operator's code was not read, nothing is
predicted (the pods are left to the API server, as before).

- KAITO Workspace (upstream: kaito-project/kaito 056b8280b): no file under pkg/ sets a
  securityContext, a host namespace or a capability (``git grep SecurityContext -- pkg`` finds
  none). pkg/workspace/inference/preset_inferences.go setInferenceContainers: one container named
  after the Workspace; configureModelWeightsVolumes: a hostPath volume ``model-weights-hostpath``
  when the ``kaito.sh/use-local-weights`` annotation is ``"true"`` (api/v1beta1/labels.go
  UseLocalWeights, GetLocalWeightsPath, sanitizePresetName); configureCUDAToolkitVolume and
  setInferenceContainers: a hostPath volume ``cuda-toolkit-hostpath`` and the init container
  ``cuda-toolkit-provisioner`` for a preset that RequiresCUDAToolkit (pkg/model/interface.go:
  RequiresDeepGEMM by architecture, RequiresFlashInfer by preset name). Adapters (SetAdapterPuller,
  the same at v0.12.0 0894eb2b): for those with an image, an ``adapter-volume`` emptyDir and an
  init container ``puller-<source.name>`` each (manifests/manifests.go GeneratePullerContainers,
  pkg/workspace/image/puller.go NewPullerContainer: no securityContext), with a projected volume
  ``docker-config-<name>-inference-adapter`` where it has imagePullSecrets
  (pkg/utils/common_preset.go ConfigImagePullSecretVolume); for those with a ``volumeSource``, a
  volume ``adapter-volume-<name>`` of that source, as given (a hostPath one meets baseline's
  check). No ``model-weights-downloader`` (manifests.go GenerateModelPullerContainer): KAITO makes
  it only for a preset not downloaded at runtime, and every inference preset is one that is:
  vLLMCompatibleModel.GetInferenceParameters sets ``DownloadAtRuntime: true`` for the catalog's
  presets and the Hub-built ones alike (presets/workspace/models/vllm_model.go, v0.12.0 and
  056b8280b), so SetModelDownloadInfo returns before it; supported_models.yaml's
  ``downloadAtRuntime`` (../shared/data/kaito) is not read for this ("only used for version
  tracking of KAITO's base image. Other contents in the file are deprecated": model_catalog.md).
- KAITO Workspace with ``inference.template`` (upstream: kaito-project/kaito 056b8280b
  pkg/workspace/controllers/workspace_controller.go applyInference: the template is taken before
  any preset; pkg/workspace/inference/template_inference.go CreateTemplateInference;
  pkg/workspace/manifests/manifests.go GenerateManifestWithPodTemplate): a StatefulSet whose pod
  template is the user's, with only its labels, affinity and tolerations changed (and
  ApplyProvisionerNodeSelector's node affinity): every field the checks read is the user's.
- KAITO tuning Workspace (056b8280b pkg/workspace/tuning/preset_tuning.go CreatePresetTuning,
  GenerateBasicTuningPodSpec, SetTrainingResultVolume, SetTrainingInput, prepareDataSource,
  handleURLDataSource, SetTrainingOutputImagePush; pkg/utils/common_preset.go ConfigSHMVolume,
  DefaultModelWeightsVolume, ConfigCMVolume, ConfigResultsVolume, ConfigDataVolume,
  ConfigImagePullSecretVolume, ConfigImagePushSecretVolume; pkg/workspace/image/puller.go
  NewPullerContainer, pusher.go NewPusherContainer): a Job whose pod has the init container
  ``model-weights-downloader`` (GenerateModelPullerContainer with GetTuningParameters, whose
  metadata is supported_models.yaml's MustGet: none of the tuning presets,
  transformer_runtime_tuning_parameters.go, sets ``downloadAtRuntime`` there), then ``puller``
  for an image input or ``data-downloader`` for URLs; the container named after the Workspace,
  and ``pusher`` and ``pause`` for an image output; the volumes ``dshm`` (memory emptyDir),
  ``model-weights-volume`` (emptyDir), ``config-volume`` (ConfigMap), ``results-volume`` (the
  output's ``volumeSource`` as given, else emptyDir), ``data-volume`` (the input's
  ``volumeSource`` as given, else emptyDir), ``docker-config-<input name>-tuning-input`` and
  ``docker-config`` (projected). No securityContext anywhere, so restricted refuses it, and
  baseline refuses it only for a hostPath input or output volume.
- KAITO InferenceSet: each child Workspace is NewWorkspaceForInferenceSet's (pkg/utils/
  inferenceset/inferenceset.go): the template's annotations and inference, and a generated name
  (``generateName: <set>-``), which names the container. KAITO's llm-d-router-gateway release
  for the set (with its gatewayAPIInferenceExtension gate, for a preset set on vLLM:
  pkg/inferenceset/inferenceset_controller.go ensureGatewayAPIInferenceExtension,
  pkg/workspace/manifests/manifests.go GenerateInferencePoolHelmRelease, consts.go
  InferencePoolChartVersion v0.9.0) is not predicted, on purpose: it cannot change a verdict. The
  chart (llm-d/llm-d-router v0.9.0 5f4e762f config/charts/routerlib/templates/_deployment.yaml,
  values.yaml: proxy, tokenizer and latency predictor off, and KAITO's values turn none on) makes
  one pod in the set's namespace with one container, ``epp``, no securityContext and a ConfigMap
  volume: baseline admits it and restricted refuses it, exactly as it does the set's own inference
  pods, which are checked first. Predicting it would only cost a read of KAITO's gates.
- AI Runway ModelDeployment (upstream: ai-runway/airunway b0d3fb77 providers/*/transformer.go):
  the ``vllm`` and ``llmd`` providers make Deployments whose one container is ``vllm``
  (buildContainer), with PVC and emptyDir volumes only; the ``kaito`` provider makes a Workspace
  named after the ModelDeployment from spec.model.id with spec.provider.overrides deep-merged in
  (Transform, applyOverrides), checked as above; the ``kuberay`` provider makes a RayService with
  the containers ``ray-head`` and ``ray-worker`` and no securityContext.
- AI Runway ``dynamo`` provider (ai-runway/airunway b0d3fb77 providers/dynamo/transformer.go
  buildServices, config.go DynamoVersion 1.1.1): a DynamoGraphDeployment whose services are, with
  the gateway on (spec.gateway.enabled unset or true, and not the ``airunway.ai/dynamo-test-backend:
  mocker`` annotation: mocker.go isMockerMode) an ``Epp`` and workers with a ``frontendSidecar``,
  else a ``Frontend`` and workers without one; the workers are ``VllmWorker``, or
  ``VllmPrefillWorker`` and ``VllmDecodeWorker`` for ``serving.mode: disaggregated``;
  spec.provider.overrides is deep-merged into the whole object last (applyOverrides). NVIDIA
  Dynamo's operator (ai-dynamo/dynamo 015d780b deploy/operator/internal/dynamo/graph.go
  GenerateBasePodSpec, component_common.go getCommonContainer, component_worker.go,
  component_epp.go, backend_vllm.go; consts.go MainContainerName, FrontendSidecarContainerName)
  makes each service's pod from ``extraPodSpec`` (its inline PodSpec merged over the base with
  mergo.WithOverride: its containers, initContainers, volumes, host namespaces and pod
  securityContext as given) and appends the container ``main`` (``extraPodSpec.mainContainer``
  merged over it, so a securityContext given there is kept) and, for a ``frontendSidecar``, the
  container ``sidecar-frontend``, whose spec (image, args, envFromSecret, envs) has no
  securityContext. The operator sets none itself: only the pod's fsGroup
  (applyDefaultSecurityContext), which no check reads. Volumes it adds: PVCs, an emptyDir
  ``shared-memory``, the EPP's ConfigMap and emptyDir.
- Dynamo's ``wait-for-leader-mp`` init container (ai-dynamo/dynamo backend_vllm.go
  VLLMBackend.UpdatePodSpec, read in the code index at a v1alpha1 and a v1beta1 revision, commits
  not shown): the operator adds it, with the main container's image, no securityContext and at most a
  ConfigMap volume, to the worker pods (not the leader) of a vLLM service whose
  ``multinode.nodeCount`` is above 1 (a vLLM service: ``python3 -m dynamo.vllm``, AI Runway's
  transformer.go engineCommand), when vLLM runs multi-node with its mp backend. The two
  revisions differ on when: the v1alpha1 one whenever the backend is mp, the v1beta1 one only when
  the main container's command line has ``--distributed-executor-backend mp``, which
  updateVLLMMultinodeArgs adds when tensor × pipeline parallel size (the first
  ``--tensor-parallel-size`` and ``--pipeline-parallel-size`` in its args, else 1) is above the
  service's ``resources.limits.gpu``. akscli predicts it where both agree: mp (the annotation
  ``nvidia.com/vllm-distributed-executor-backend`` on the service or the graph, else mp, the
  default for a graph first reconciled by an operator at 1.0.0 or later: compatibility
  VLLMMultiprocessing, MinOriginVersion 1.0.0; AI Runway installs 1.1.1) and a world size above
  the GPUs. The args are AI Runway's (transformer.go buildEngineArgs: ``--model``, then
  spec.engine.args sorted, each ``--key value``) unless the overrides replace them; the GPUs
  spec.resources.gpu.count (buildResourceLimits: ``limits.gpu``). Not predicted: the case the
  revisions disagree on (mp with a world size that fits one pod), a vLLM flag given as
  ``--flag=value``, and Grove's ``grove-initc`` (ai-dynamo/grove
  operator/internal/controller/podclique/components/pod/initcontainer.go addInitContainer: no
  securityContext, a service-account token Secret and a downwardAPI volume), which Grove adds to
  the pods of a PodClique with startup dependencies: which cliques Dynamo's operator gives
  dependencies, and whether it deploys multinode services with Grove or LeaderWorkerSet, is the
  operator's configuration, not in the objects akscli makes. Neither init container changes a
  baseline verdict; under restricted each is refused, so a main container hardened through the
  overrides does not make such a worker pod pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from akscli.model import catalog

LOCAL_WEIGHTS = "kaito.sh/use-local-weights"  # api/v1beta1/labels.go AnnotationUseLocalWeights
# pkg/model/interface.go RequiresDeepGEMM (by architecture) and RequiresFlashInfer (by preset)
DEEPGEMM_ARCHITECTURES = frozenset({"DeepseekV4ForCausalLM", "DeepseekV32ForCausalLM", "GlmMoeDsaForCausalLM"})
FLASHINFER_PRESETS = frozenset({"mistral-small-4-119b-2603"})


def pod_specs(group: str, kind: str, obj: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(where, predicted pod spec) for a KAITO or AI Runway resource; [] for anything else."""
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    if (group, kind) == ("kaito.sh", "Workspace"):
        return workspace_pods(name, meta.get("annotations") or {}, obj.get("inference"), obj.get("tuning"))
    if (group, kind) == ("kaito.sh", "InferenceSet"):
        template = (obj.get("spec") or {}).get("template") or {}
        annotations = (template.get("metadata") or {}).get("annotations") or {}
        child = f"{name}-<generated>"
        return workspace_pods(child, annotations, template.get("inference"), None)
    if (group, kind) == ("airunway.ai", "ModelDeployment"):
        return _model_deployment(name, meta.get("annotations") or {}, obj.get("spec") or {})
    return []


def workspace_pods(
    name: str, annotations: Mapping[str, Any], inference: Any, tuning: Any
) -> list[tuple[str, dict[str, Any]]]:
    """The pods KAITO's workspace controller makes for a Workspace named ``name``: the inference
    pods from ``inference.template`` where it is given (the controller's applyInference takes it
    before any preset), else from the preset; the tuning Job's pod for ``tuning``."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(inference, dict) and isinstance(inference.get("template"), dict):
        spec = inference["template"].get("spec")
        found.append(("KAITO's inference pods (inference.template)", dict(spec) if isinstance(spec, dict) else {}))
    elif isinstance(inference, dict):
        found.append(("KAITO's inference pods", workspace_pod(name, annotations, inference)))
    if isinstance(tuning, dict):
        found.append(("KAITO's tuning job", tuning_pod(name, tuning)))
    return found


def tuning_pod(name: str, tuning: Mapping[str, Any]) -> dict[str, Any]:
    """The pod of the Job KAITO makes for ``tuning`` (preset_tuning.go CreatePresetTuning's modifiers,
    in their order): GenerateBasicTuningPodSpec, SetTrainingResultVolume, SetTrainingInput,
    SetTrainingOutputImagePush."""
    given_input, given_output = tuning.get("input"), tuning.get("output")
    source: Mapping[str, Any] = given_input if isinstance(given_input, dict) else {}
    output: Mapping[str, Any] = given_output if isinstance(given_output, dict) else {}
    init: list[dict[str, Any]] = [{"name": "model-weights-downloader"}]
    containers: list[dict[str, Any]] = [{"name": name}]
    given = output.get("volumeSource")
    results: dict[str, Any] = given if isinstance(given, dict) else {"emptyDir": {}}
    volumes: list[dict[str, Any]] = [
        {"name": "dshm", "emptyDir": {"medium": "Memory"}},
        {"name": "model-weights-volume", "emptyDir": {}},
        {"name": "config-volume", "configMap": {"name": str(tuning.get("config") or "")}},
        {**results, "name": "results-volume"},
    ]
    if source.get("image"):  # prepareDataSource: an image, else URLs, else a volume
        init.append({"name": "puller"})
        volumes.append({"name": f"docker-config-{source.get('name') or ''}-tuning-input", "projected": {}})
        volumes.append({"name": "data-volume", "emptyDir": {}})
    elif source.get("urls"):
        init.append({"name": "data-downloader"})
        volumes.append({"name": "data-volume", "emptyDir": {}})
    elif isinstance(source.get("volumeSource"), dict):
        volumes.append({**source["volumeSource"], "name": "data-volume"})
    if output.get("volumeSource") is None and output.get("image"):
        volumes.append({"name": "docker-config", "projected": {}})
        containers += [{"name": "pusher"}, {"name": "pause"}]
    return {"initContainers": init, "containers": containers, "volumes": volumes}


def workspace_pod(name: str, annotations: Mapping[str, Any], inference: Any) -> dict[str, Any]:
    """The inference pod KAITO makes for a Workspace named ``name``."""
    preset = str((((inference if isinstance(inference, dict) else {}).get("preset")) or {}).get("name") or "")
    volumes: list[dict[str, Any]] = []
    init: list[dict[str, Any]] = []
    segment = preset.strip().lower().replace("/", "-").replace("\\", "-")
    if annotations.get(LOCAL_WEIGHTS) == "true" and segment not in ("", ".", ".."):
        volumes.append({"name": "model-weights-hostpath", "hostPath": {"path": f"/opt/kaito/models/{segment}"}})
    if preset and _requires_cuda_toolkit(preset):
        volumes.append({"name": "cuda-toolkit-hostpath", "hostPath": {"path": "/opt/kaito/cuda/129"}})
        init.append({"name": "cuda-toolkit-provisioner"})
    _adapters(inference, init, volumes)
    return {"initContainers": init, "containers": [{"name": name}], "volumes": volumes}


def _adapters(inference: Any, init: list[dict[str, Any]], volumes: list[dict[str, Any]]) -> None:
    """SetAdapterPuller's init containers and volumes for ``inference.adapters``."""
    listed = (inference if isinstance(inference, dict) else {}).get("adapters")
    adapters = [a for a in listed if isinstance(a, dict)] if isinstance(listed, list) else []
    sources: list[dict[str, Any]] = [a["source"] if isinstance(a.get("source"), dict) else {} for a in adapters]
    images = [s for s in sources if not s.get("volumeSource")]
    if images:
        volumes.append({"name": "adapter-volume", "emptyDir": {}})
    for source in images:
        init.append({"name": f"puller-{source.get('name') or ''}"})
        if source.get("imagePullSecrets"):
            volumes.append({"name": f"docker-config-{source.get('name') or ''}-inference-adapter", "projected": {}})
    for source in sources:
        given = source.get("volumeSource")
        if given and isinstance(given, dict):
            volumes.append({**given, "name": f"adapter-volume-{source.get('name') or ''}"})


def _requires_cuda_toolkit(preset: str) -> bool:
    if preset in FLASHINFER_PRESETS:
        return True
    model = catalog.find(preset)  # the architecture of KAITO's preset (kaito model_catalog.yaml)
    return model is not None and model.architecture in DEEPGEMM_ARCHITECTURES


def _model_deployment(
    name: str, annotations: Mapping[str, Any], spec: Mapping[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    provider = (spec.get("provider") or {}).get("name")
    where = f"AI Runway {provider} provider's pods"
    if provider in ("vllm", "llmd"):
        return [(where, {"containers": [{"name": "vllm"}]})]
    if provider == "kuberay":
        return [(where, {"containers": [{"name": "ray-head"}]}), (where, {"containers": [{"name": "ray-worker"}]})]
    if provider == "dynamo":
        return [(f"{where}, service {service}", pod) for service, pod in dynamo_pods(annotations, spec)]
    if provider == "kaito":
        workspace: dict[str, Any] = {"inference": {"preset": {"name": (spec.get("model") or {}).get("id")}}}
        _merge(workspace, (spec.get("provider") or {}).get("overrides") or {})
        template = ((spec.get("podTemplate") or {}).get("metadata") or {}).get("annotations") or {}
        pods = workspace_pods(name, template, workspace.get("inference"), None)
        return [(where + (" (inference.template)" if w.endswith(")") else ""), pod) for w, pod in pods]
    return []


def dynamo_pods(annotations: Mapping[str, Any], spec: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(service, pod spec) for each service of the DynamoGraphDeployment the dynamo provider makes."""
    gateway = (spec.get("gateway") or {}).get("enabled") is not False
    mocker = annotations.get("airunway.ai/dynamo-test-backend") == "mocker"
    gateway = gateway and not mocker
    disaggregated = (spec.get("serving") or {}).get("mode") == "disaggregated"
    workers = ["VllmPrefillWorker", "VllmDecodeWorker"] if disaggregated else ["VllmWorker"]
    services: dict[str, Any] = {"Epp" if gateway else "Frontend": {}}
    for worker in workers:
        services[worker] = _dynamo_worker(spec, mocker)
        if gateway:
            services[worker]["frontendSidecar"] = {}
    graph: dict[str, Any] = {"metadata": {"annotations": {}}, "spec": {"services": services}}
    overrides = (spec.get("provider") or {}).get("overrides")
    if isinstance(overrides, Mapping):
        _deep_merge(graph, overrides)
    merged = (graph.get("spec") or {}).get("services")
    on_graph = (graph.get("metadata") or {}).get("annotations")
    return [
        (str(service), _dynamo_pod(component, on_graph if isinstance(on_graph, Mapping) else {}))
        for service, component in (merged.items() if isinstance(merged, dict) else [])
        if isinstance(component, dict)
    ]


def _dynamo_worker(spec: Mapping[str, Any], mocker: bool) -> dict[str, Any]:
    """The fields of a vLLM worker service that decide its multinode launch (transformer.go
    buildWorkerService, buildEngineArgs, buildResourceLimits); a mocker worker runs no vLLM."""
    if mocker:
        return {"componentType": "worker"}
    engine = spec.get("engine") or {}
    found = engine.get("args")
    given: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    args = ["--model", str((spec.get("model") or {}).get("id") or "")]
    for key in sorted(given):
        args += [f"--{key}", str(given[key])] if given[key] not in (None, "") else [f"--{key}"]
    gpus = ((spec.get("resources") or {}).get("gpu") or {}).get("count")
    worker: dict[str, Any] = {"componentType": "worker"}
    worker["extraPodSpec"] = {"mainContainer": {"command": ["python3", "-m", "dynamo.vllm"], "args": args}}
    if isinstance(gpus, int) and gpus > 0:
        worker["resources"] = {"limits": {"gpu": str(gpus)}}
    return worker


EXECUTOR_BACKEND = "nvidia.com/vllm-distributed-executor-backend"  # consts.go


def _waits_for_leader(component: Mapping[str, Any], on_graph: Mapping[str, Any]) -> bool:
    """Whether the operator adds ``wait-for-leader-mp`` to the service's worker pods, in the case
    both revisions read agree on (module docstring)."""
    nodes = (component.get("multinode") or {}).get("nodeCount")
    main = (component.get("extraPodSpec") or {}).get("mainContainer") or {}
    line = [part for arg in [*(main.get("command") or []), *(main.get("args") or [])] for part in str(arg).split()]
    if "dynamo.vllm" not in line or not (isinstance(nodes, int) and nodes > 1):  # the vLLM backend's
        return False
    own = component.get("annotations")
    backend = {**on_graph, **(own if isinstance(own, Mapping) else {})}.get(EXECUTOR_BACKEND, "mp")
    if str(backend).lower() == "ray":
        return False
    args = [part for arg in main.get("args") or [] for part in str(arg).split()]
    world = _flag(args, "--tensor-parallel-size") * _flag(args, "--pipeline-parallel-size")
    gpus = str(((component.get("resources") or {}).get("limits") or {}).get("gpu") or "")
    return gpus.isdigit() and 0 < int(gpus) < world


def _flag(args: list[str], flag: str) -> int:
    """backend_vllm.go getFlagValue: the first value of ``flag`` that parses, else 1."""
    for i, arg in enumerate(args[:-1]):
        if arg == flag and args[i + 1].lstrip("+-").isdigit():
            return int(args[i + 1])
    return 1


def _dynamo_pod(component: Mapping[str, Any], on_graph: Mapping[str, Any]) -> dict[str, Any]:
    """GenerateBasePodSpec's pod, for what the checks read (a worker pod of a multinode service)."""
    given = component.get("extraPodSpec")
    extra: dict[str, Any] = given if isinstance(given, dict) else {}
    pod = {k: v for k, v in extra.items() if k != "mainContainer"}
    main: dict[str, Any] = {"name": "main"}
    overlay = extra.get("mainContainer")
    if isinstance(overlay, dict):  # mergo.WithOverride: the fields given that are not empty
        main.update({k: v for k, v in overlay.items() if v not in (None, "", [], {})})
    containers = [c for c in pod.get("containers") or [] if isinstance(c, dict)] + [main]
    if component.get("frontendSidecar") is not None:  # component.FrontendSidecar != nil
        containers.append({"name": "sidecar-frontend"})
    pod["containers"] = containers
    if _waits_for_leader(component, on_graph):
        given_init = [c for c in pod.get("initContainers") or [] if isinstance(c, dict)]
        pod["initContainers"] = [*given_init, {"name": "wait-for-leader-mp"}]
    return pod


def _deep_merge(into: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """The dynamo provider's deepMerge: maps merge, anything else (null too) replaces."""
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _deep_merge(into[key], value)
        else:
            into[key] = value


def _merge(into: dict[str, Any], overrides: Mapping[str, Any]) -> None:
    """applyOverrides' deep merge (a null deletes the field)."""
    for key, value in overrides.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
