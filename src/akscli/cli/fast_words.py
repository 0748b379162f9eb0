"""Which command lines the fast path (akscli.cli.fast) may serve, decided from their words alone.

The console script (akscli.cli.entry) and main.run ask ``may_be_fast`` first, so a command line
that names no fast command goes to the command tree without importing the fast path's parser,
its table (akscli.cli.fast_table) or a body: commands the fast path does not serve pay nothing for
it. Kept apart from entry.py, which imports the command tree, and from fast.py, which is what
is skipped."""

import os

# The commands the fast path serves: path -> the typer-free body its Typer callback calls.
FAST_BODIES: dict[str, str] = {
    "version": "akscli.cli.version_body:version",
    "model catalog": "akscli.cli.model_catalog_body:catalog_models",
    "model plan": "akscli.cli.model_plan_body:plan",
    "render": "akscli.cli.render_body:render",
}
# Set (to anything but empty) to run every command through the command tree.
FAST_SWITCH_OFF = "AKSCLI_NO_FAST_PATH"
_FAST_PATHS = tuple(tuple(path.split()) for path in FAST_BODIES)


def may_be_fast(argv: list[str]) -> bool:
    """Whether the fast path may serve ``argv``: the words of a fast command's path are in it, one
    after the other, the switch is not set and no shell asks for completions (Click's protocol).
    Any other command line goes to the command tree without importing akscli.cli.fast."""
    words = tuple(argv)
    if not any(words[i : i + len(path)] == path for path in _FAST_PATHS for i in range(len(words))):
        return False  # before the environment is read: most command lines stop here
    return not os.environ.get(FAST_SWITCH_OFF) and not any(key.endswith("AKSCLI_COMPLETE") for key in os.environ)
