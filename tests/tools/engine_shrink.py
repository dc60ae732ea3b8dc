"""Shrink one kind of engine disagreement to a minimal spec (hypothesis shrinks it).

    python tests/tools/engine_shrink.py 'PREDICATE' [MAX_EXAMPLES]

PREDICATE is a Python expression over `f` (an engine_agreement.Finding) and `run` (the
engine_agreement.Run), e.g.

    'f.engine == "auto" and f.what == "proved-violated"'
    'f.what == "errors-proved" and known(f, run) is None'

Prints the comparison report of the smallest spec with such a finding.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, find, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import engine_agreement as E  # noqa: E402
from known_unsound import known  # noqa: E402,F401  (for the predicate)
from spec_shapes import shaped_specs  # noqa: E402


def main(argv: list[str]) -> int:
    cond = eval("lambda f, run: " + argv[0])        # noqa: S307  (a developer's tool)
    limit = int(argv[1]) if len(argv) > 1 else 3000

    def shows(spec) -> bool:
        run = E.findings(spec)
        return any(cond(f, run) for f in run.findings)

    started = time.time()
    spec = find(shaped_specs(), shows,
                settings=settings(max_examples=limit, deadline=None, database=None,
                                  suppress_health_check=list(HealthCheck)))
    print(E.findings(spec).report())
    print(f"shrunk in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
