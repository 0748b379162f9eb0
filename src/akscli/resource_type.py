"""A Kubernetes resource as kubectl's TYPE argument names it, for the commands that take one (ray,
fleet, nodepool). A module of its own, not akscli.object_names: that module is imported by every
command (akscli.output re-exports it), and making this NamedTuple class is 0.14 ms of the start of
commands that never read a TYPE (`model plan`, `model catalog`, `version`).
"""

from typing import NamedTuple


class ResourceType(NamedTuple):
    """A Kubernetes resource as kubectl's TYPE may name it: the names a CRD declares
    (``spec.names``: plural, singular, shortNames; ``spec.group``; the served versions)."""

    group: str
    plural: str
    singular: str
    short: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("v1",)
    namespaced: bool = True

    def named_by(self, given: str) -> bool:
        """Whether kubectl takes ``given`` as this resource's TYPE (kubernetes/cli-runtime 69e8693b
        pkg/resource/builder.go mappingFor; kubernetes/apimachinery eed236ce
        pkg/runtime/schema/group_version.go ParseResourceArg): RESOURCE, RESOURCE.GROUP or
        RESOURCE.VERSION.GROUP, where RESOURCE is the plural or the singular in any case (the REST
        mapper lower-cases it: pkg/api/meta/restmapper.go coerceResourceForMatching, so the Kind
        ``RayCluster`` is its singular) or a short name as written (client-go restmapper's shortcut
        expander)."""
        resource, dot, rest = given.partition(".")
        if dot and rest != self.group:
            version, _, group = rest.partition(".")
            if group != self.group or version not in self.versions:
                return False
        return resource.lower() in (self.plural, self.singular) or resource in self.short
