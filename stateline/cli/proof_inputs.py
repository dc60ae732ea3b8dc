"""The inputs of `stateline prove` (and of its `--infer`): the spec, the `-D`
overrides, the proof file and the `--invariant`/`--property` selection, each error
reported with its location."""

from __future__ import annotations

from ..diagnostics import SpecError
from ..lang.load import LoadError, load_spec, parse_override
from ..lang.selection import command_line_selection
from ..prover.proofs import load_proof
from .console import Console, report_errors


def load_inputs(args, console: Console):
    """(loaded spec, overrides, proof or None, selection), or None once an error has
    been reported (exit 2)."""
    try:
        loaded = load_spec(args.path)
        overrides = dict(parse_override(loaded, d) for d in args.defines)
        proof = load_proof(args.proof, loaded) if args.proof else None
    except LoadError as exc:
        report_errors(console, exc, exc.sources)
        return None
    try:
        selection = command_line_selection(loaded.typed, args.invariants, args.properties)
    except SpecError as exc:
        report_errors(console, exc, {})
        return None
    return loaded, overrides, proof, selection
