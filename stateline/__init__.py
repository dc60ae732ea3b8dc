"""Stateline: specify distributed protocols, model-check them, prove them.

The public API is small; everything else is reachable through its modules.

    from stateline import load_spec, check_blocks, run_check
    loaded = load_spec("specs/paxos.sl")
    for block in check_blocks(loaded):
        result = run_check(loaded, block, {})
"""

__version__ = "0.1.0"

from .checker.run import CheckOptions, check_blocks, run_check  # noqa: E402
from .models.verdict import CheckResult, Status, StopReason, Verdict  # noqa: E402
from .diagnostics import Diagnostic, SpecError  # noqa: E402
from .lang.load import LoadedSpec, load_spec, load_text, parse_override  # noqa: E402
from .models.lower import lower  # noqa: E402
from .models.model import Model  # noqa: E402
from .models.trace import Step, Trace  # noqa: E402

__all__ = [
    "CheckOptions", "CheckResult", "Diagnostic", "LoadedSpec", "Model", "SpecError", "Status",
    "Step", "StopReason", "Trace", "Verdict", "__version__", "check_blocks", "load_spec",
    "load_text", "lower", "parse_override", "run_check",
]
