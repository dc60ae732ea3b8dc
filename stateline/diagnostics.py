"""Source spans, diagnostics and the table of stable error codes.

Every error Stateline reports about a spec or a command line is a `Diagnostic`
with a code from `CODES`, a message, and (almost always) a `Span`.  Rendering
follows the compiler convention ``path:line:col: error[SLnnn]: message``,
then the source line and a caret under the offending text.

Code ranges: SL1xx syntax, SL2xx names and declarations, SL3xx types,
SL4xx finiteness and instantiation, SL5xx command line and overrides,
SL6xx errors found while running the model (a value outside its type, ...).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

# Each code is listed once, with what it means.  Tests check that every code
# used in the package is listed here and that no listed code is unused.
CODES: dict[str, str] = {
    "SL100": "the file is not valid UTF-8 text",
    "SL101": "a character that cannot start any token",
    "SL102": "a token where the grammar does not allow it",
    "SL103": "the file ends in the middle of a construct",
    "SL104": "inconsistent indentation (a dedent to a column never indented to, or a tab)",
    "SL105": "an expression used where a type is required is not a type",
    "SL106": "a statement or declaration in a place it is not allowed",
    "SL107": "an integer literal that is malformed",
    "SL108": "a construct nested more deeply than Stateline can compile",
    "SL109": "a block with no body (a header ending in ':' and no indented line after it)",
    "SL201": "a name that is not defined",
    "SL202": "a name defined twice in the same scope",
    "SL203": "a field that the record or message does not have",
    "SL204": "assignment to something that is not a state variable (a constant, a parameter, ...)",
    "SL205": "a definition that refers to itself without declared parameter and result "
             "types, or a procedure that calls itself (procedures are not recursive)",
    "SL206": "a property named in a check block (`expect`, `only`, `skip`) that the spec "
             "does not declare",
    "SL207": "an unknown network kind or option",
    "SL208": "a spec without the required declaration (e.g. messages but no `network`)",
    "SL209": "check-block lines that do not fit together (an `expect` of a property the "
             "block's `only` or `skip` leaves out, two such lines, deadlock in one)",
    "SL210": "an initial value that reads a variable declared after it (or itself, or, in "
             "a process that recovers from crashes, another variable the recovery "
             "re-initialises)",
    "SL211": "a type-only variable (`var x: T`) that the `init:` block does not assign on "
             "every path, or reads before assigning it (or that has no `init:` block)",
    "SL212": "a value name that several enums or constants declare, written without "
             "its type (qualify it: `Kind.c`)",
    "SL301": "operand types that do not match the operator",
    "SL302": "a call with the wrong number of arguments",
    "SL303": "a value of the wrong type for its context",
    "SL304": "something called that is not callable",
    "SL305": "indexing something that is not a map, sequence or tuple",
    "SL306": "a primed expression outside a transition invariant",
    "SL307": "a condition that is not boolean",
    "SL401": "an unbounded integer where a finite range is required",
    "SL402": "a domain that is not finite (quantifier, parameter, map key or set element)",
    "SL403": "a constant whose value cannot be computed",
    "SL404": "a range or sequence bound that is empty or negative",
    "SL405": "a state space element too large to enumerate",
    "SL501": "a -D override that does not parse",
    "SL502": "a -D override for a constant the spec does not declare",
    "SL503": "a -D override whose value does not have the constant's type",
    "SL504": "a command-line argument that is invalid (an output path that cannot be written too)",
    "SL505": "a --check name that no check block has",
    "SL506": "a checkpoint that cannot be read or written, is damaged, or is of another search",
    "SL507": "a --invariant or --property name the spec does not declare, or of the other "
             "option's kind",
    "SL508": "--engine ray without Ray installed, or no Ray cluster at --ray-address",
    "SL601": "a value outside the declared type of its variable or field",
    "SL602": "an operation undefined on its operands (division by zero, none, empty choose, ...)",
    "SL603": "an assert statement whose condition is false",
    "SL701": "an input file (trace, result or history) that cannot be read or is malformed",
    "SL702": "an OTLP receiver that cannot be reached or refuses the trace",
    "SL801": "a construct the Z3 engines of `stateline prove` cannot encode",
}


@dataclass(frozen=True)
class Span:
    """A region of one source: 1-based line and column, end exclusive."""

    path: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unlisted diagnostic code {self.code}")

    def headline(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}error[{self.code}]: {self.message}"


class SpecError(Exception):
    """Raised inside a phase to stop it; carries the diagnostics found so far."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.headline() for d in self.diagnostics))


def fail(code: str, message: str, span: Span | None, hint: str | None = None, notes=()):
    """Raise a `SpecError` with one diagnostic."""
    raise SpecError(Diagnostic(code, message, span, hint=hint, notes=tuple(notes)))


def did_you_mean(name: str, candidates) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.7)
    return f"did you mean '{close[0]}'?" if close else None


SHOWN_LINE = 160       # characters of a source line shown under a diagnostic


def render(diag: Diagnostic, sources: dict[str, str]) -> str:
    """``path:line:col: error[code]: message``, the source line, a caret line."""
    lines = [diag.headline()]
    span = diag.span
    text = sources.get(span.path) if span else None
    if span and text is not None:
        src_lines = text.splitlines()
        if 1 <= span.line <= len(src_lines):
            src = src_lines[span.line - 1].replace("\t", " ")
            gutter = f"{span.line:>5} | "
            width = 1
            if span.end_line == span.line and span.end_col > span.col:
                width = span.end_col - span.col
            width = max(1, min(width, len(src) - span.col + 1))
            col = span.col
            if len(src) > SHOWN_LINE:
                # A very long line is shown around the column, with the caret under it.
                start = max(0, min(col - 1 - SHOWN_LINE // 2, len(src) - SHOWN_LINE))
                src = ("..." if start else "") + src[start:start + SHOWN_LINE] + \
                    ("..." if start + SHOWN_LINE < len(src) else "")
                col = col - start + (3 if start else 0)
                width = max(1, min(width, SHOWN_LINE - (col - 1 - (3 if start else 0))))
            lines.append(gutter + src)
            lines.append(" " * (len(gutter) - 2) + "| " + " " * (col - 1) + "^" * width)
    if diag.hint:
        lines.append(f"  hint: {diag.hint}")
    for note in diag.notes:
        lines.append(f"  note: {note}")
    return "\n".join(lines)
