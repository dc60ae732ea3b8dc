"""Running one symbolic engine on one check block's instance.

`prove_block(loaded, check, overrides, options)` lowers the instance exactly as
`stateline check` does, encodes it (`encode.Encoding`), runs the engine the
options name and returns a `ProveResult`.  A construct the encoding cannot
handle is a `SpecError` naming it and its location (exit 2), never a crash; a
disagreement between Z3 and the compiled model is a `Disagreement` (an internal
error).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..diagnostics import Diagnostic, SpecError, Span
from ..lang import ir
from ..lang.load import LoadedSpec
from ..models.lower import lower_block
from ..models.model import Model
from .bmc import bmc
from .encode import Encoding
from .proofs import Proof
from .results import Claim, Obligation, ProveResult
from .scopes import Deadline, OutOfTime
from .symbolic import Unencodable
from .terms import fresh_context, use_context

ENGINES = ("bmc", "induction", "k-induction", "auto", "l2s")


@dataclass(frozen=True)
class ProveOptions:
    engine: str = "bmc"             # one of ENGINES
    bound: int = 10                 # --bmc K, --k-induction K
    timeout: float | None = None    # seconds for the whole block
    proof: Proof | None = None
    dropped: tuple = ()             # lemmas removed from the proof (--drop), as proofs.Lemma
    any_size: bool = False          # --any-size: prove for every size of the sorts
    emit_smt: bool = False          # --emit-smt: keep each obligation as SMT-LIB text


def instance(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict[str, ir.E]) -> Model:
    return Model(lower_block(loaded.typed, check, overrides))


def encode(model: Model, deadline: Deadline | None = None) -> Encoding:
    """The Z3 encoding of a compiled instance, or a SpecError naming what is refused;
    OutOfTime when `deadline` passes first."""
    try:
        refuse_builtins(model)
        return Encoding(model.system, deadline)
    except Unencodable as exc:
        raise SpecError(refusal(exc, model.system.path)) from None


BUILTIN_ACTIONS = ("drop", "partition", "heal")


def refuse_builtins(model: Model) -> None:
    """Refuse what the compiled model does beyond the spec's own actions and the network's
    `drop`, `partition` and `heal`, and state beyond the variables, the network and its
    partition: the encoding would miss it."""
    system = model.system
    net = system.network
    span = system.context.typed.network[2] if system.context.typed.network else None
    for name, process, _ in model.labels[len(system.actions):]:
        if name not in BUILTIN_ACTIONS:
            raise Unencodable(f"the built-in action '{name}'", span)
    builtin = {net.slot, net.partition_slot, net.count_slot} if net is not None else set()
    for slot in system.slots:
        if slot.var is None and slot.index not in builtin:
            raise Unencodable(f"the built-in state '{slot.name}'", span)


def refusal(exc: Unencodable, path: str) -> Diagnostic:
    too_big = "more than" in exc.what or "too many" in exc.what
    return Diagnostic("SL405" if too_big else "SL801",
                      f"the Z3 engines cannot encode {exc.what}",
                      exc.span or Span(path, 1, 1),
                      hint="check this spec with `stateline check` (the explicit engine) "
                           "instead")


def describe_constants(system) -> tuple[tuple[str, str], ...]:
    return tuple((name, dom.show(value)) for name, (value, dom) in system.constants.items())


def prove_block(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict[str, ir.E],
                options: ProveOptions, model: Model | None = None,
                enc: Encoding | None = None) -> ProveResult:
    """Run one engine on one check block.  `model` and `enc` (the instance and its
    encoding) may be passed in to run several engines or proofs on one encoding."""
    if options.engine == "induction" and (options.any_size or (
            options.proof is not None and options.proof.any_size is not None)):
        return _any_size(loaded, check, overrides, options)
    if enc is None:
        fresh_context()         # the result must not depend on what was proved before
    else:
        use_context(enc.z3ctx)  # another proof since may have made a fresh context
    model = model or instance(loaded, check, overrides)
    started = time.perf_counter()
    deadline = Deadline(options.timeout)        # the encoding's time counts too
    system = model.system
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    check_deadlock = not system.allow_deadlock or "DeadlockFreedom" in expected
    depths, failure, notes = (), None, []
    certs = _certificates(system, check, options)
    try:
        if enc is None:
            enc = encode(model, deadline)
        else:
            enc.deadline = deadline
        obligations, depths, failure, notes = _engine(enc, model, options, expected,
                                                      deadline, check_deadlock, certs)
    except OutOfTime as exc:
        obligations, notes = out_of_time(system, expected, check_deadlock, str(exc)), [str(exc)]
    finally:
        if enc is not None:
            enc.deadline = Deadline(None)
    if system.temporal and options.engine in ("k-induction", "auto"):
        names = ", ".join(p.name for p in system.temporal)
        notes.append(f"temporal propert{'ies' if len(system.temporal) > 1 else 'y'} {names}: "
                     f"not checked by --{options.engine}, which proves safety properties "
                     f"(prove with --liveness-to-safety, or --induction and a ranking "
                     f"function; search with --bmc K)")
    return ProveResult(system.name, system.path, check.name, describe_constants(system),
                       options.engine, tuple(obligations), time.perf_counter() - started,
                       tuple(depths), failure, tuple(notes), certs)


def _certificates(system, check: ir.CheckIR, options: ProveOptions):
    """An empty certificates.Certificates when --emit-smt asks for them (induction only)."""
    if not options.emit_smt or options.engine != "induction":
        return None
    from .certificates import Certificates
    consts = ", ".join(f"{k}={v}" for k, v in describe_constants(system)) or "no constants"
    return Certificates(system.path, check.name, consts)


def out_of_time(system, expected: dict[str, str], check_deadlock: bool, why: str) -> list:
    """Every property UNKNOWN: the time ran out before an engine could ask Z3 anything
    (or while it was extending the encoding)."""
    props = [(p.name, "invariant") for p in system.invariants] + \
        [(p.name, "transition") for p in system.transitions] + \
        ([("DeadlockFreedom", "deadlock")] if check_deadlock else []) + \
        [(p.name, "temporal") for p in system.temporal]
    return [Obligation(name, kind, expected.get(name, "holds"), Claim.UNKNOWN, why)
            for name, kind in props]


def _engine(enc: Encoding, model: Model, options: ProveOptions, expected: dict[str, str],
            deadline: Deadline, check_deadlock: bool, certs=None):
    """(obligations, depths, failure, notes) of the engine the options name."""
    system = model.system
    depths, failure, notes = (), None, []
    try:
        if options.engine == "bmc":
            obligations, depths, failure, stop = bmc(enc, model, options.bound, expected,
                                                     deadline, check_deadlock)
            if stop:
                notes.append(stop)
            if system.temporal:
                more, failure = _temporal_bmc(enc, model, options.bound, expected,
                                              deadline, failure)
                obligations += more
        elif options.engine in ("induction", "k-induction"):
            from .induction import induction
            obligations, notes, failure = induction(enc, model, options, expected, deadline,
                                                    check_deadlock, certs)
        elif options.engine == "l2s":
            from .l2s import l2s_engine
            obligations, notes, failure = l2s_engine(enc, model, expected, deadline,
                                                     check_deadlock, options.proof)
        else:
            from .pdr import spacer
            obligations, notes, failure = spacer(enc, model, expected, deadline,
                                                 check_deadlock)
    except Unencodable as exc:
        raise SpecError(refusal(exc, system.path)) from None
    return obligations, depths, failure, notes


def _temporal_bmc(enc: Encoding, model: Model, bound: int, expected: dict, deadline,
                  failure):
    """(--bmc K's temporal obligations, the run's failure) after its safety search
    (which found `failure`).  As in the explicit checker, the temporal properties are
    decided only when that search ended without a run-time error; then evaluating their
    predicates may raise one, which leaves that property and the later ones undecided."""
    from .lasso import lasso_search, predicate_failure
    props = list(model.system.temporal)
    why = "not decided: a run-time error ended the search"
    cut = 0
    if failure is None:
        found, cut, stop = predicate_failure(enc, model, bound, deadline)
        if stop:
            why, cut = f"not decided: {stop}", 0
        elif found is None:
            cut = len(props)
        else:
            failure = found
            why = "not decided: evaluating a temporal property raised a run-time error"
    out = lasso_search(enc, model, bound, expected, deadline, props[:cut]) if cut else []
    return out + [Obligation(p.name, "temporal", expected.get(p.name, "holds"), Claim.UNKNOWN,
                             why) for p in props[cut:]], failure


def _any_size(loaded: LoadedSpec, check: ir.CheckIR, overrides: dict,
              options: ProveOptions) -> ProveResult:
    """`--induction` for every size of the spec's sorts (prover/anysize)."""
    from .anysize.induction import prove_any_size
    expected = {prop: outcome for prop, outcome, _ in check.expects}
    fresh_context()
    try:
        return prove_any_size(loaded, check, overrides, options.proof, expected,
                              Deadline(options.timeout), dropped=options.dropped,
                              emit_smt=options.emit_smt)
    except Unencodable as exc:
        raise SpecError(refusal(exc, loaded.path)) from None
