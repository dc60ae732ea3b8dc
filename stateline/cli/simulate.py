"""`stateline simulate`: random walks through each check block's instance, for state
spaces too large to explore (TLC's `-simulate`, `quint run`).

It is `stateline check` with another engine: the same spec and check-block handling,
the same table, counterexamples and output writers (--json, --otlp, --html ...), the
same exit codes.  A property no walk violated is `unknown` (a simulation proves
nothing), so a run where every property is expected to hold exits 3, and one that
demonstrates every expected violation exits 0.
"""

from __future__ import annotations

from ..checker.simulate import SimulateOptions, simulate_check
from . import check
from .console import Console, positive_float, positive_int, spec_arguments, workers_count


def add_parser(sub) -> None:
    c = sub.add_parser("simulate", help="random walks through each check block's instance",
                       description="Check invariants, transition invariants and deadlock on "
                                   "random behaviours of each check block's instance: "
                                   "reproducible from --seed, not exhaustive.")
    spec_arguments(c)
    c.add_argument("--traces", type=positive_int, default=SimulateOptions.traces, metavar="N",
                   help=f"random walks per check block (default {SimulateOptions.traces})")
    c.add_argument("--depth", type=positive_int, default=SimulateOptions.depth, metavar="D",
                   help=f"steps per walk, at most (default {SimulateOptions.depth})")
    c.add_argument("--seed", type=int, default=SimulateOptions.seed, metavar="S",
                   help="the random seed: the same seed gives the same walks (default 0)")
    c.add_argument("--workers", type=workers_count, default=1, metavar="N|auto",
                   help="run the walks on N processes (auto: one per core); the same "
                        "walks, counts and output as one process (default 1)")
    c.add_argument("--max-seconds", type=positive_float, metavar="S",
                   help="stop each check block's walks after S seconds")
    c.add_argument("--quiet", action="store_true",
                   help="do not print counterexamples of expected violations")
    c.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    for writer in check.WRITERS:
        writer.add_arguments(c)
    c.set_defaults(run=run)


def run(args, console: Console) -> int:
    args.max_states = args.max_depth = None
    args.no_symmetry = True          # the walks visit concrete states
    args.engine_label = f"simulate ({args.traces:,} traces of at most {args.depth} steps, " \
                        f"seed {args.seed})"

    def engine(loaded, block, overrides, options, model):
        sim = SimulateOptions(args.traces, args.depth, args.seed, workers=args.workers)
        console.phase(f"simulating check {block.name}")
        result, walks = simulate_check(loaded, block, overrides, options, sim, model)
        console.clear()
        rate = walks.traces / walks.seconds if walks.seconds > 0 else 0.0
        console.print(f"  {walks.traces:,} traces ({rate:,.0f} per second), "
                      f"{walks.steps:,} steps, {walks.distinct:,} distinct states, "
                      f"the longest {max(walks.longest - 1, 0)} steps")
        return result

    args.engine_run = engine
    return check.run(args, console)
