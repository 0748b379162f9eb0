"""Which model a ``model plan`` or ``model deploy`` is about: the catalog's or a described one, completed
from the Hub with --hub-config and checked against the vLLM that serves it. Typer-free: the fast path
(akscli.cli.fast) runs ``model plan`` without loading the CLI framework."""

from akscli import errors, validate
from akscli.model import catalog


def resolve_model(
    name: str,
    described: catalog.Description,
    hub_config: bool,
    runtime: str,
    image: str | None = None,
    trusted: bool | None = None,
    kaito_flag: str = "--runtime kaito",
) -> catalog.Model:
    """The model to plan (catalog.resolve), completed and checked by ``hub_checked`` for the vLLM image
    ``image`` (plan's --image; None: the runtime's own) and ``trusted`` (--trust-remote-code)."""
    early = early_model(name, described, hub_config)
    return hub_checked(early, name, described, hub_config, runtime, image, trusted)


def early_model(name: str, described: catalog.Description, hub_config: bool) -> catalog.Model | None:
    """The model, before the Hub is read: None where --hub-config is to complete its description (every
    value given is checked now, before anything is sent)."""
    if not hub_config:
        return catalog.resolve(name, described)
    if not described.given and catalog.find(name) is not None:
        raise errors.UsageError(
            f"--hub-config reads the config.json of a model the catalog lacks; {name.strip()} is in akscli's "
            "catalog, which already holds its limits",
            hint="leave out --hub-config",
        )
    if catalog.complete(described):
        return catalog.resolve(name, described)
    if not described.given and "/" not in name:
        catalog.get(validate.text(name, "model", 200))  # not an org/name id: "unknown model", with the nearest names
    catalog.validate_hf_id(validate.text(name, "model", 200))
    catalog.checked_description(described)
    return None


def hub_checked(
    model: catalog.Model | None,
    name: str,
    described: catalog.Description,
    hub_config: bool,
    runtime: str,
    image: str | None = None,
    trusted: bool | None = None,
    kaito_flag: str = "--runtime kaito",
) -> catalog.Model:
    """With ``--hub-config``, a described model completed and checked from the Hub (akscli.model.
    hub_describe), the values that came from there said on stderr; ``runtime``: the plan's, kaito or
    vllm (any other is refused here, before anything is sent); ``image``: the vLLM image --image names
    where it is the serving image (None: akscli's pinned one; "": an image whose vLLM is not known);
    ``trusted``: --trust-remote-code where the vLLM that serves is akscli's or an AI Runway provider's (None:
    KAITO's, not judged); ``kaito_flag``: the flag that picks KAITO instead (the refusal's hint)."""
    if not hub_config:
        assert model is not None
        return served_checked(model, runtime, image, trusted, kaito_flag)
    from akscli.model import hub_describe, planning

    validate.choice(runtime, planning.RUNTIMES, "--runtime")
    completed, said, warnings = hub_describe.resolve(
        name, described, kaito=runtime == "kaito", image=image, trusted=trusted, kaito_flag=kaito_flag
    )
    if said or warnings:
        from akscli import output

        for line in said:
            output.info(line)
        for warning in warnings:
            output.warn(warning)
    return served_checked(completed, runtime, image, trusted, kaito_flag)


def served_checked(
    model: catalog.Model, runtime: str, image: str | None, trusted: bool | None, kaito_flag: str
) -> catalog.Model:
    """``model``, or a UsageError where the vLLM that serves it (akscli's or an AI Runway provider's: ``trusted``
    not None; ``image`` as hub_checked's) cannot load a catalog model's config.json without the repo's own code
    (the facts models.yaml records: akscli.model.remote_code), or cannot serve its architecture
    (akscli.model.vllm_archs); a warning where only its Transformers backend might, or where the image is not
    known. The architecture's hint names KAITO where KAITO's catalog has the model."""
    if trusted is None or runtime == "kaito":
        return model
    from akscli import output
    from akscli.model import hub_describe, remote_code, vllm_archs

    # vLLM reads config.json before it resolves the architecture: the config's judge comes first.
    config = catalog.config_of(model.id)
    said = (
        remote_code.check(
            model.id,
            config,
            hub_describe.serving_vllm(False, image),
            trusted,
            kaito_flag,
            auto_map_read=catalog.auto_map_read(model.id),
        )
        if config
        else None
    )
    if said:
        output.warn(said)
    if model.architecture is None:
        return model
    kaito_serves = model.source.startswith("kaito") and model.architecture in vllm_archs.served(hub_describe.KAITO_VLLM)
    warning = vllm_archs.check(
        model.id,
        model.architecture,
        hub_describe.serving_vllm(False, image),
        trusted,
        kaito_flag if kaito_serves else None,
    )
    if warning:
        output.warn(warning)
    return model
