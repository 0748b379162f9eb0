"""TODO"""

from __future__ import annotations

# ---- services -----------------------------------------------------------------------------


def serve_config(text: str, source: str) -> str:
    """Check a Serve config (serveConfigV2) and return it as YAML text."""
    from akscli import yamlio

    doc = yamlio.load(text, source)
    if not isinstance(doc, Mapping) or not isinstance(doc.get("applications"), list) or not doc["applications"]:
        raise UsageError(
            f"{source} is not a Ray Serve config: it has no applications list",
            hint="write applications: [{name: app, import_path: module:app}] as `serve build` produces",
        )
    names: set[str] = set()
    for index, app in enumerate(doc["applications"]):
        if not isinstance(app, Mapping) or not isinstance(app.get("import_path"), str):
            raise UsageError(
                f"{source}: application {index + 1} has no import_path",
                hint="each application needs import_path: module:variable",
            )
        app_name = str(app.get("name", "default"))
        if app_name in names:
            raise UsageError(
                f"{source}: application name {app_name!r} is used twice",
                hint="give each application a distinct name",
            )
        names.add(app_name)
    return yamlio.dump(doc)

