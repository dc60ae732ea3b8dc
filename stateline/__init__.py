"""Stateline: specify distributed protocols, model-check them, prove them.

The public API is small; everything else is reachable through its modules.

    from stateline import load_spec, check_blocks, run_check
    loaded = load_spec("specs/paxos.sl")
    for block in check_blocks(loaded):
        result = run_check(loaded, block, {})
"""

__version__ = "0.1.0"

# The public names are imported on first use (PEP 562), so that `import stateline.x`
# and the command line do not pay for the checker when they do not use it.
_EXPORTS = {
    "CheckOptions": "checker.run", "check_blocks": "checker.run", "run_check": "checker.run",
    "CheckResult": "models.verdict", "Status": "models.verdict",
    "StopReason": "models.verdict", "Verdict": "models.verdict",
    "Diagnostic": "diagnostics", "SpecError": "diagnostics",
    "LoadedSpec": "lang.load", "load_spec": "lang.load", "load_text": "lang.load",
    "parse_override": "lang.load",
    "lower": "models.lower", "Model": "models.model", "Step": "models.trace",
    "Trace": "models.trace",
}


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "CheckOptions", "CheckResult", "Diagnostic", "LoadedSpec", "Model", "SpecError", "Status",
    "Step", "StopReason", "Trace", "Verdict", "__version__", "check_blocks", "load_spec",
    "load_text", "lower", "parse_override", "run_check",
]
