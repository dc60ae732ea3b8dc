"""What a check block checks: its `only` or `skip` line, its `symmetric` lines, and
the `--invariant` and `--property` selection of the command line.

A selection names invariants, transition invariants and temporal properties.  A
property left out is not evaluated at all and is not reported (as with TLC, whose
model lists the invariants and properties it checks).  Deadlock is not selected:
`allow deadlock` and `expect DeadlockFreedom` decide it, as before; constraints
always limit the search.  The command line's selection narrows every block's: a
block checks the properties both select, so an option never brings back what a
block leaves out (a liveness property too costly for its instance, say).
"""

from __future__ import annotations

import dataclasses

from ..diagnostics import Diagnostic, Span, SpecError, did_you_mean, fail as err
from . import ast as A
from . import ir
from .resolve import BUILTIN_PROPERTIES, Resolved


def properties_note(names: list[str]) -> str:
    """The note listing a spec's properties, for a selection that names another."""
    if not names:
        return "the spec declares no invariant, transition invariant or temporal property"
    return "its properties: " + ", ".join(names)


def selected_properties(r: Resolved, d: A.Check) -> tuple[str, ...] | None:
    """The properties a check block's `only` or `skip` line leaves checked, in
    declaration order (None: no such line, every property)."""
    if not d.selections:
        return None
    if len(d.selections) > 1:
        second = d.selections[1]
        err("SL209", f"check '{d.name}' has a second '{second.kind}' line", second.span,
            notes=(f"the first is at {d.selections[0].span}",),
            hint="name every property on one line: only P, Q (or skip P, Q)")
    sel = d.selections[0]
    props = list(r.properties)
    seen: set[str] = set()
    for m in sel.names:
        if m.name in seen:
            err("SL202", f"'{m.name}' is named twice in the '{sel.kind}' line of check "
                         f"'{d.name}'", m.span)
        seen.add(m.name)
        if m.name in BUILTIN_PROPERTIES:
            err("SL209", f"deadlock is not selected with '{sel.kind}': it is checked unless "
                         f"the block or the spec says 'allow deadlock'", m.span,
                hint="leave it out of the line; 'allow deadlock' turns the deadlock check "
                     "off, 'expect DeadlockFreedom holds' on")
        if m.name not in r.properties:
            constraint = any(c.name == m.name for c in r.constraints)
            what = ("a constraint: it limits the search and is not checked" if constraint
                    else "not a property of the spec")
            err("SL206", f"check '{d.name}' selects '{m.name}', which is {what}", m.span,
                hint=None if constraint else did_you_mean(m.name, props),
                notes=(properties_note(props),))
    if sel.kind == "only":
        return tuple(p for p in props if p in seen)
    return tuple(p for p in props if p not in seen)


def block_symmetry(r: Resolved, c, d: A.Check) -> tuple[tuple[str, Span], ...]:
    """The constants a check block's `symmetric` lines name, with their spans (`c`, the
    expression checker, elaborates the constants)."""
    out: list[tuple[str, Span]] = []
    for item in d.symmetric:
        for m in item.names:
            if any(name == m.name for name, _ in out):
                err("SL202", f"'{m.name}' is named twice as symmetric in check '{d.name}'",
                    m.span)
            if m.name not in r.consts:
                err("SL201", f"check '{d.name}' makes '{m.name}' symmetric, which is not a "
                             f"constant", m.span, hint=did_you_mean(m.name, r.consts))
            if c.const(m.name).model_values is None:
                err("SL303", f"only a set of model values can be symmetric; '{m.name}' is not "
                             f"one", m.span,
                    hint="declare it as fresh names: const S = {s1, s2, s3}")
            out.append((m.name, m.span))
    return tuple(out)


# The command line: --invariant names an invariant (TLC's INVARIANT); --property a
# transition invariant or a temporal property (TLC's PROPERTY).
OPTION_KINDS = {"--invariant": ("invariant",), "--property": ("transition", "temporal")}


def command_line_selection(typed: ir.TypedSpec, invariants: list[str],
                           properties: list[str], lenient: bool = False
                           ) -> tuple[str, ...] | None:
    """The properties `--invariant` and `--property` select, in declaration order (None:
    neither option given).  Raises SpecError (SL507) for a name the spec does not
    declare or one of the other option's kind; with `lenient` (several spec files), a
    name the spec does not declare is passed over."""
    if not invariants and not properties:
        return None
    kinds = {p.name: p.kind for p in typed.properties if p.kind != "constraint"}
    chosen: set[str] = set()
    errors = []
    for option, names in (("--invariant", invariants), ("--property", properties)):
        allowed = OPTION_KINDS[option]
        fitting = [n for n, k in kinds.items() if k in allowed]
        for name in names:
            kind = kinds.get(name)
            if kind is None and lenient:
                continue
            if kind is None:
                if any(p.name == name for p in typed.properties):
                    what = f"'{name}' is a constraint: it limits the search and is not checked"
                elif name in BUILTIN_PROPERTIES:
                    what = f"'{name}' is checked unless the spec says 'allow deadlock'"
                else:
                    what = f"no invariant or property is named '{name}'"
                close = did_you_mean(name, fitting)
                listing = _listing(option, fitting)
                errors.append(Diagnostic(
                    "SL507", f"{option} {name}: in {typed.path}, {what}",
                    hint=f"{close} ({listing})" if close else listing))
            elif kind not in allowed:
                other = next(o for o, ks in OPTION_KINDS.items() if kind in ks)
                noun = {"invariant": "an invariant", "transition": "a transition invariant",
                        "temporal": "a temporal property"}[kind]
                errors.append(Diagnostic(
                    "SL507", f"{option} {name}: in {typed.path}, '{name}' is {noun}",
                    hint=f"select it with {other} {name}"))
            else:
                chosen.add(name)
    if errors:
        raise SpecError(errors)
    return tuple(p.name for p in typed.properties if p.name in chosen)


def _listing(option: str, names: list[str]) -> str:
    what = "invariants" if option == "--invariant" else \
        "transition invariants and temporal properties"
    return f"its {what}: {', '.join(names)}" if names else f"it declares no {what}"


def selection_note(typed: ir.TypedSpec, check: ir.CheckIR) -> str:
    """The run header's note of a block's selection, when it leaves a property out
    (else empty)."""
    if check.properties is None:
        return ""
    every = [p.name for p in typed.properties if p.kind != "constraint"]
    if len(check.properties) == len(every):
        return ""
    if not check.properties:
        return " · no invariant or property selected"
    return " · only " + ", ".join(check.properties)


def with_selection(check: ir.CheckIR, selection: tuple[str, ...] | None) -> ir.CheckIR:
    """The block narrowed to the command line's selection (None: as it is): it checks
    the properties both select, and its expectations of the others go."""
    if selection is None:
        return check
    own = check.properties
    chosen = tuple(p for p in selection if own is None or p in own)
    keep = set(chosen) | set(BUILTIN_PROPERTIES)
    return dataclasses.replace(check, properties=chosen,
                               expects=tuple(e for e in check.expects if e[0] in keep))
