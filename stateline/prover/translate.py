"""Z3 formulas over a state's leaves -> text in the spec language.

Spacer's inductive invariant is a formula over the arguments of `Reach`, one
per leaf of the state (`encode.StateVars.leaves`): an Int for an integer, enum
or model value, a Bool per possible element of a set or per possible message
of a set network.  Each leaf gets the spec expression it stands for
(`RM[2].state`, `2 in TM.tmPrepared`, `Prepared(2) in sent(Prepared)`), an
enum compared with a number becomes a comparison with its names, and the
formula is printed one conjunct per line.  A conjunct that has no spec syntax
(a bag's message count, an arithmetic fact about an enum) is printed as Z3
prints it, with the leaves named.
"""

from __future__ import annotations

import z3

from ..models.domains import DAtom, DBool, DInt, DMap, DOption, DRecord, DSeq, DSet, DTuple, Dom
from .symbolic import universe


class Untranslatable(Exception):
    """A Z3 term with no counterpart in the spec language (printed raw instead)."""


def value_text(v, dom: Dom) -> str:
    if isinstance(dom, DBool):
        return "true" if v else "false"
    if isinstance(dom, DOption):
        return "none" if v == () else value_text(v, dom.elem)
    if isinstance(dom, DRecord):
        off = dom.offset
        if not dom.fields:
            return dom.name
        return f"{dom.name}(" + ", ".join(value_text(v[off + i], d) for i, (_, d) in
                                           enumerate(dom.fields)) + ")"
    if isinstance(dom, DTuple):
        inner = ", ".join(value_text(x, d) for x, d in zip(v, dom.items))
        return f"({inner}{',' if len(v) == 1 else ''})"
    if isinstance(dom, DSet):
        return "{" + ", ".join(value_text(x, dom.elem) for x in dom.members(v)) + "}"
    return dom.show(v)


class Leaf:
    def __init__(self, text: str, dom: Dom | None, raw: bool = False):
        self.text, self.dom, self.raw = text, dom, raw   # dom None: a Bool fact


def leaves(enc, copy: str = "") -> list[Leaf]:
    """The state's leaves, named as the traces name them; with `copy` (liveness to
    safety's saved state, "loop"), every name is that copy's."""
    dot, word = (f"{copy}.", f"{copy} ") if copy else ("", "")
    out: list[Leaf] = []
    system = enc.system
    net = system.network
    for slot in system.slots:
        if net is not None and slot.index == net.slot:
            rows = [""]
            if net.senders:
                rows += [f" from {system.node_name(i)}" for i in range(len(system.nodes))]
            for row in rows:
                for m in net.messages.values():
                    rec = net.messages.records[m[0]]
                    msg = value_text(m, rec)
                    if net.rep == "bag":
                        out.append(Leaf(f"{word}copies of {msg}{row} in the network",
                                        DInt(0, None), True))
                    else:
                        out.append(Leaf(f"{msg} in {dot}sent({rec.name})", None))
            continue
        _walk(dot + slot.name, slot.dom, out)
    return out


def _walk(name: str, dom: Dom, out: list):
    if isinstance(dom, DBool):
        out.append(Leaf(name, None))
    elif isinstance(dom, (DInt, DAtom)):
        out.append(Leaf(name, dom))
    elif isinstance(dom, DOption):
        out.append(Leaf(f"{name} != none", None))
        _walk(name, dom.elem, out)
    elif isinstance(dom, DRecord):
        for fname, d in dom.fields:
            _walk(f"{name}.{fname}", d, out)
    elif isinstance(dom, DTuple):
        for i, d in enumerate(dom.items):
            _walk(f"{name}[{i}]", d, out)
    elif isinstance(dom, DSet):
        for u in universe(dom.elem).values:
            out.append(Leaf(f"{value_text(u, dom.elem)} in {name}", None))
    elif isinstance(dom, DMap):
        for k in dom.key.values():
            _walk(f"{name}[{value_text(k, dom.key)}]", dom.value, out)
    elif isinstance(dom, DSeq):
        out.append(Leaf(f"len({name})", DInt(0, dom.maxlen)))
        for i in range(dom.maxlen):
            _walk(f"{name}[{i}]", dom.elem, out)


_CMP = {z3.Z3_OP_LE: "<=", z3.Z3_OP_LT: "<", z3.Z3_OP_GE: ">=", z3.Z3_OP_GT: ">",
        z3.Z3_OP_EQ: "=="}
_FLIP = {"<=": ">=", "<": ">", ">=": "<=", ">": "<", "==": "=="}
_TEST = {"<=": lambda a, b: a <= b, "<": lambda a, b: a < b, ">=": lambda a, b: a >= b,
         ">": lambda a, b: a > b, "==": lambda a, b: a == b}


class Translator:
    def __init__(self, table: list[Leaf]):
        self.table = table

    def leaf(self, e) -> Leaf | None:
        if z3.is_var(e):
            return self.table[z3.get_var_index(e)]
        return None

    def text(self, e, top: bool = False) -> str:
        out = self._text(e)
        return out if top or _atomic(out) else f"({out})"

    def _text(self, e) -> str:
        if z3.is_true(e):
            return "true"
        if z3.is_false(e):
            return "false"
        if z3.is_int_value(e):
            return str(e.as_long())
        leaf = self.leaf(e)
        if leaf is not None:
            if leaf.raw or isinstance(leaf.dom, DAtom):
                raise Untranslatable()
            return leaf.text
        if not z3.is_app(e):
            raise Untranslatable()
        k = e.decl().kind()
        args = e.children()
        if k == z3.Z3_OP_NOT:
            inner = args[0]
            if z3.is_app(inner) and inner.decl().kind() in _CMP and inner.num_args() == 2:
                return self._compare(inner, negate=True)
            lf = self.leaf(inner)
            if lf is not None and lf.text.endswith(" != none"):
                return lf.text[:-len(" != none")] + " == none"
            if lf is not None and " in " in lf.text and not lf.raw:
                return lf.text.replace(" in ", " not in ", 1)
            return f"not {self.text(inner)}"
        if k in (z3.Z3_OP_AND, z3.Z3_OP_OR):
            op = " and " if k == z3.Z3_OP_AND else " or "
            return op.join(self.text(a) for a in args)
        if k == z3.Z3_OP_IMPLIES:
            return f"{self.text(args[0])} implies {self.text(args[1])}"
        if k in _CMP and len(args) == 2:
            return self._compare(e, negate=False)
        if k == z3.Z3_OP_DISTINCT and len(args) == 2:
            return self._compare(args[0] == args[1], negate=True)
        if k == z3.Z3_OP_ADD:
            return " + ".join(self.text(a) for a in args)
        if k == z3.Z3_OP_SUB:
            return " - ".join(self.text(a) for a in args)
        if k == z3.Z3_OP_MUL:
            return " * ".join(self.text(a) for a in args)
        if k == z3.Z3_OP_UMINUS:
            return f"-{self.text(args[0])}"
        if k == z3.Z3_OP_ITE:
            return f"{self.text(args[1])} if {self.text(args[0])} else {self.text(args[2])}"
        raise Untranslatable()

    def _compare(self, e, negate: bool) -> str:
        op = _CMP[e.decl().kind()]
        a, b = e.children()
        la, lb = self.leaf(a), self.leaf(b)
        atom = la if la is not None and isinstance(la.dom, DAtom) else \
            lb if lb is not None and isinstance(lb.dom, DAtom) else None
        if atom is not None:
            return self._atom_compare(op, a, b, la, lb, negate)
        if z3.is_bool(a) and op == "==":
            text = f"{self.text(a)} == {self.text(b)}"
        else:
            text = f"{self.text(a)} {op} {self.text(b)}"
        if negate:
            if op == "==":
                return text.replace(" == ", " != ", 1)
            return f"not ({text})"
        return text

    def _atom_compare(self, op, a, b, la, lb, negate: bool) -> str:
        if la is not None and lb is not None and op == "==":
            return f"{la.text} {'!=' if negate else '=='} {lb.text}"
        if la is None:                        # number op leaf: flip to leaf op number
            a, b, la, lb, op = b, a, lb, la, _FLIP[op]
        if not z3.is_int_value(b):
            raise Untranslatable()
        k = b.as_long()
        dom: DAtom = la.dom
        keep = [i for i in range(dom.size) if _TEST[op](i, k) != negate]
        if not keep:
            return "false"
        if len(keep) == dom.size:
            return "true"
        if len(keep) == 1:
            return f"{la.text} == {dom.names[keep[0]]}"
        if len(keep) == dom.size - 1:
            other = next(i for i in range(dom.size) if i not in keep)
            return f"{la.text} != {dom.names[other]}"
        return f"{la.text} in {{{', '.join(dom.names[i] for i in keep)}}}"


def _atomic(text: str) -> bool:
    return all(ch not in text for ch in " ") or (text.startswith("(") and text.endswith(")")
                                                 and text.count("(") == 1)


def answer_formula(answer):
    """Spacer's answer `ForAll(xs, Reach(xs) == body)` -> body, its variables renumbered so
    that Var(i) is leaf i (None when the answer has another shape)."""
    if not z3.is_quantifier(answer):
        return None
    body = answer.body()
    if not (z3.is_eq(body) and z3.is_app(body.arg(0))):
        return None
    args = body.arg(0).children()
    if not all(z3.is_var(a) for a in args):
        return None
    order = [z3.get_var_index(a) for a in args]      # leaf j is bound variable order[j]
    fresh = [z3.Var(j, a.sort()) for j, a in enumerate(args)]
    by_index = {i: fresh[j] for j, i in enumerate(order)}
    return z3.substitute_vars(body.arg(1), *[by_index[i] for i in range(len(args))])


def invariant_text(enc, formula, kept: list[int] | None = None) -> str:
    """The invariant, one conjunct per line, in the spec language where possible;
    Var(i) stands for leaf `kept[i]` (default: leaf i)."""
    table = leaves(enc)
    sorts = enc.pre.leaves
    if kept is not None:
        table = [table[i] for i in kept]
        sorts = [sorts[i] for i in kept]
    tr = Translator(table)
    f = z3.simplify(formula)
    parts = f.children() if z3.is_and(f) else [f]
    parts = [p for p in parts if not z3.is_true(p)]
    named = [z3.Const(x.text, s.sort()) for x, s in zip(table, sorts)]
    lines = []
    for p in parts:
        try:
            line = tr.text(p, top=True)
            if line != "true":
                lines.append("    " + line)
        except Untranslatable:
            raw = z3.substitute_vars(p, *named) if named else p
            lines.append("    " + str(raw).replace("\n", " ") + "    # (Z3 syntax)")
    return "\n".join(lines) if lines else "    true"
