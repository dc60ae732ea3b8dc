"""Parse tree -> `ast` nodes: a lark Transformer with one method per rule."""

from __future__ import annotations

import dataclasses

from lark import Token, Transformer_NonRecursive, v_args

from ..diagnostics import Diagnostic, Span, SpecError
from . import ast as A


class Builder(Transformer_NonRecursive):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    # ---- helpers --------------------------------------------------------------

    def _span(self, meta) -> A.Span:
        if getattr(meta, "empty", True) and not hasattr(meta, "line"):
            return Span(self.path, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok(self, tok: Token) -> A.Span:
        return Span(self.path, tok.line, tok.column, tok.end_line or tok.line,
                    tok.end_column or tok.column + len(tok))

    # ---- top level ----------------------------------------------------------

    @v_args(meta=True)
    def start(self, meta, children):
        header, *decls = children
        return A.Spec(name=str(header), decls=tuple(d for d in decls if isinstance(d, A.Decl)),
                      path=self.path, span=self._span(meta))

    def expr_only(self, children):
        return children[0]

    def spec_header(self, children):
        return children[0]

    @v_args(meta=True, inline=True)
    def const_decl(self, meta, name, typ, value, symmetric):
        return A.Const(str(name), typ, value, symmetric is not None, span=self._tok(name))

    @v_args(meta=True, inline=True)
    def enum_decl(self, meta, name, members):
        return A.Enum(str(name), members, span=self._tok(name))

    def name_list(self, children):
        return tuple(A.Member(str(t).strip("`"), span=self._tok(t)) for t in children
                     if t is not None)

    @v_args(meta=True, inline=True)
    def record_decl(self, meta, name, fields):
        return A.Record(str(name), fields, False, span=self._tok(name))

    @v_args(meta=True, inline=True)
    def message_decl(self, meta, name, fields):
        return A.Record(str(name), fields or (), True, span=self._tok(name))

    def field_list(self, children):
        return tuple(c for c in children if c is not None)

    @v_args(inline=True)
    def field(self, name, typ):
        return A.Field(str(name), typ, span=self._tok(name))

    @v_args(meta=True)
    def network_decl(self, meta, children):
        kind, *opts = children
        return A.Network(str(kind), tuple(opts), span=self._tok(kind))

    @v_args(inline=True)
    def net_option(self, name, arg):
        return A.NetOption(str(name), arg, span=self._tok(name))

    @v_args(inline=True)
    def var_eq(self, name, typ, init):
        return A.Var(str(name), typ, init, False, span=self._tok(name))

    @v_args(inline=True)
    def var_in(self, name, typ, init):
        return A.Var(str(name), typ, init, True, span=self._tok(name))

    @v_args(inline=True)
    def var_typed(self, name, typ):
        # The type, read as a set, stands for the placeholder the `init:` block overwrites.
        return A.Var(str(name), typ, typ, True, span=self._tok(name), typed_only=True)

    @v_args(meta=True, inline=True)
    def init_decl(self, meta, body):
        return A.InitBlock(body, span=self._span(meta))

    @v_args(inline=True)
    def def_decl(self, name, params, ret, body):
        return A.Def(str(name), params, ret, body, span=self._tok(name))

    def param_list(self, children):
        return tuple(c for c in children if c is not None)

    @v_args(inline=True)
    def param(self, name, typ):
        return A.Param(str(name), typ, span=self._tok(name))

    @v_args(meta=True)
    def process_decl(self, meta, children):
        name, self_name, domain, *members = children
        return A.Process(str(name), str(self_name) if self_name is not None else None, domain,
                         tuple(m for m in members if isinstance(m, A.Decl)), span=self._tok(name))

    @v_args(inline=True)
    def history_decl(self, name, fields, limit):
        return A.History(str(name), fields, limit, span=self._tok(name))

    @v_args(meta=True, inline=True)
    def record_stmt(self, meta, kind, history, op, value):
        return A.RecordOp(str(kind), str(history), str(op), value, span=self._span(meta))

    @v_args(inline=True)
    def persistent_decl(self, var):
        return dataclasses.replace(var, persistent=True)

    @v_args(inline=True)
    def crash_decl(self, kind, limit):
        if str(kind) not in ("stop", "recover"):
            raise SpecError(Diagnostic("SL106", f"a crash is 'stop' or 'recover', not '{kind}'",
                                       self._tok(kind)))
        return A.Crash(str(kind), limit, span=self._tok(kind))

    @v_args(inline=True)
    def fair_decl(self, kind, decl):
        if str(kind) not in ("weak", "strong"):
            raise SpecError(Diagnostic("SL106", f"fairness is 'weak' or 'strong', not '{kind}'",
                                       self._tok(kind)))
        return dataclasses.replace(decl, fairness=str(kind))

    @v_args(inline=True)
    def action_decl(self, name, params, guard, body):
        return A.Action(str(name), params or (), guard, body, span=self._tok(name))

    @v_args(inline=True)
    def handler_decl(self, msg, binder, guard, body):
        return A.Handler(str(msg), str(binder), guard, body, span=self._tok(msg))

    @v_args(inline=True)
    def invariant_decl(self, name, expr):
        return A.Invariant(str(name), expr, span=self._tok(name))

    @v_args(inline=True)
    def transition_decl(self, name, expr):
        return A.Transition(str(name), expr, span=self._tok(name))

    @v_args(inline=True)
    def constraint_decl(self, name, expr):
        return A.Constraint(str(name), expr, span=self._tok(name))

    @v_args(inline=True)
    def property_decl(self, name, formula):
        return A.Property(str(name), formula, span=self._tok(name))

    @v_args(meta=True, inline=True)
    def eventually(self, meta, body):
        return A.Temporal("eventually", (body,), (), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def always(self, meta, body):
        return A.Temporal("always", (body,), (), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def leads_to(self, meta, p, _op, q):
        return A.Temporal("leads_to", (p, q), (), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def initially(self, meta, p, body):
        return A.Temporal("initially", (p, body), (), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def stable(self, meta, p, q):
        return A.Temporal("stable", (p, q), (), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def forall_temporal(self, meta, binders, body):
        return A.Temporal("forall", (body,), binders, span=self._span(meta))

    @v_args(inline=True)
    def fair_item(self, kind, *targets):
        return A.FairItem(str(kind), tuple(targets), span=self._tok(kind))

    @v_args(meta=True)
    def fair_target(self, meta, children):
        names = [str(c) for c in children if c is not None and c.type == "NAME"]
        per = None
        if any(c is not None and c.type == "PER" for c in children):
            per = names.pop()
        return A.FairTarget(".".join(names), per, span=self._span(meta))

    @v_args(inline=True)
    def allow_decl(self, what):
        return A.Allow(str(what), span=self._tok(what))

    @v_args(meta=True)
    def check_decl(self, meta, children):
        name, *rest = children
        bindings, expects, allows, fair, select, sym = [], [], [], [], [], []
        for item in rest:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                bindings.append(item)
            elif isinstance(item, A.Expect):
                expects.append(item)
            elif isinstance(item, A.Allow):
                allows.append(item)
            elif isinstance(item, A.FairItem):
                fair.append(item)
            elif isinstance(item, A.Selection):
                select.append(item)
            elif isinstance(item, A.SymmetricItem):
                sym.append(item)
        return A.Check(str(name), tuple(bindings), tuple(expects), tuple(allows), tuple(fair),
                       tuple(select), tuple(sym), span=self._tok(name))

    @v_args(inline=True)
    def select_item(self, kind, *names):
        return A.Selection(str(kind), tuple(A.Member(str(n), span=self._tok(n)) for n in names),
                           span=self._tok(kind))

    @v_args(inline=True)
    def symmetric_item(self, word, *names):
        return A.SymmetricItem(tuple(A.Member(str(n), span=self._tok(n)) for n in names),
                               span=self._tok(word))

    @v_args(inline=True)
    def binding(self, name, expr):
        return (str(name), expr)

    @v_args(inline=True)
    def proc_decl(self, name, params, body):
        return A.Proc(str(name), params or (), body, span=self._tok(name))

    @v_args(inline=True)
    def expect_item(self, prop, outcome):
        return A.Expect(str(prop), str(outcome), span=self._tok(outcome), prop_span=self._tok(prop))

    # ---- statements -----------------------------------------------------------

    def suite(self, children):
        return tuple(c for c in children if isinstance(c, A.Stmt))

    @v_args(meta=True, inline=True)
    def require_stmt(self, meta, cond):
        return A.Require(cond, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def assert_stmt(self, meta, cond, message):
        return A.Assert(cond, str(message)[1:-1], span=self._span(meta))

    @v_args(meta=True, inline=True)
    def assign_stmt(self, meta, target, value):
        return A.Assign(target, value, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def send_stmt(self, meta, msg, to):
        return A.Send(msg, to, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def let_stmt(self, meta, name, value):
        return A.LetStmt(str(name), value, span=self._tok(name))

    @v_args(meta=True)
    def pass_stmt(self, meta, children):
        return A.Pass(span=self._span(meta))

    @v_args(meta=True)
    def call_stmt(self, meta, children):
        name, args = children
        args = args or ()
        return A.CallStmt(str(name), tuple(a for a in args if not isinstance(a, A.KwArg)),
                          tuple(a for a in args if isinstance(a, A.KwArg)),
                          span=self._span(meta))

    @v_args(meta=True)
    def if_stmt(self, meta, children):
        cond, body, *rest = children
        branches = [(cond, body)]
        orelse: tuple = ()
        for r in rest:
            if r is None:
                continue
            if r[0] == "elif":
                branches.append((r[1], r[2]))
            else:
                orelse = r[1]
        return A.If(tuple(branches), orelse, span=self._span(meta))

    @v_args(inline=True)
    def elif_clause(self, cond, body):
        return ("elif", cond, body)

    @v_args(inline=True)
    def else_clause(self, body):
        return ("else", body)

    @v_args(meta=True)
    def either_stmt(self, meta, children):
        return A.Either(tuple(children), span=self._span(meta))

    def or_clause(self, children):
        return children[0]

    @v_args(meta=True, inline=True)
    def choose_stmt(self, meta, name, domain, body):
        return A.ChooseStmt(str(name), domain, body, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def for_stmt(self, meta, name, domain, body):
        return A.For(str(name), domain, body, span=self._span(meta))

    @v_args(inline=True)
    def target_name(self, name):
        return A.Name(str(name), span=self._tok(name))

    @v_args(meta=True, inline=True)
    def target_index(self, meta, base, index):
        return A.Subscript(base, (index,), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def target_field(self, meta, base, name):
        return A.Attr(base, str(name), span=self._span(meta))

    # ---- expressions ----------------------------------------------------------

    @v_args(meta=True, inline=True)
    def ifexp(self, meta, then, cond, orelse):
        return A.IfExp(cond, then, orelse, span=self._span(meta))

    def _binary(op):  # noqa: N805 - a method factory used in the class body
        @v_args(meta=True, inline=True)
        def method(self, meta, left, right):
            return A.Binary(op, left, right, span=self._span(meta))
        return method

    implies = _binary("implies")
    or_expr = _binary("or")
    and_expr = _binary("and")
    in_op = _binary("in")
    not_in_op = _binary("not in")
    range = _binary("..")
    union = _binary("|")
    symdiff = _binary("^")
    intersect = _binary("&")
    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    floordiv = _binary("//")
    mod = _binary("%")
    truediv = _binary("/")
    del _binary

    @v_args(meta=True, inline=True)
    def compare(self, meta, left, op, right):
        return A.Binary(str(op), left, right, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def not_expr(self, meta, operand):
        return A.Unary("not", operand, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def neg(self, meta, operand):
        if isinstance(operand, A.IntLit):
            return A.IntLit(-operand.value, span=self._span(meta))
        return A.Unary("neg", operand, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def forall(self, meta, binders, body):
        return A.Quant("forall", binders, body, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def exists(self, meta, binders, body):
        return A.Quant("exists", binders, body, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def choose(self, meta, name, domain, cond):
        return A.Choose(str(name), domain, cond, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def let_expr(self, meta, name, value, body):
        return A.Let(str(name), value, body, span=self._span(meta))

    def binder_list(self, children):
        return tuple(children)

    @v_args(meta=True)
    def binder(self, meta, children):
        *names, domain = children
        return A.Binder(tuple(str(n) for n in names), domain, span=self._span(meta))

    @v_args(meta=True)
    def call(self, meta, children):
        func, args = children
        pos, kw = [], []
        for a in args or ():
            if isinstance(a, A.KwArg):
                kw.append(a)
            else:
                pos.append(a)
        return A.Call(func, tuple(pos), tuple(kw), span=self._span(meta))

    def arg_list(self, children):
        return [c for c in children if c is not None]

    @v_args(inline=True)
    def kwarg(self, name, value):
        return A.KwArg(str(name), value, span=self._tok(name))

    @v_args(meta=True)
    def subscript(self, meta, children):
        base, *indices = children
        return A.Subscript(base, tuple(indices), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def slice(self, meta, lo, hi):
        return A.Slice(lo, hi, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def attr(self, meta, base, name):
        return A.Attr(base, str(name), span=self._span(meta))

    @v_args(meta=True, inline=True)
    def prime(self, meta, base):
        return A.Prime(base, span=self._span(meta))

    @v_args(meta=True, inline=True)
    def option_type(self, meta, base):
        return A.OptionType(base, span=self._span(meta))

    @v_args(inline=True)
    def name(self, tok):
        return A.Name(str(tok).strip("`"), span=self._tok(tok))     # `none`: a quoted name

    @v_args(inline=True)
    def int_lit(self, tok):
        text = str(tok).replace("_", "")
        try:
            value = int(str(tok), 0)        # (refuses decimals longer than Python's limit)
        except ValueError:
            value = None
        if value is None and text.isdigit() and len(text) > A.MAX_INT_DIGITS or \
                value is not None and value >= A.INT_LIMIT:
            # (the literal is not repeated: it is too long to show)
            raise SpecError(Diagnostic(
                "SL107", f"this integer literal is too large: at most "
                         f"{A.MAX_INT_DIGITS:,} decimal digits are supported", self._tok(tok)))
        if value is None:
            raise SpecError(Diagnostic("SL107", f"malformed integer literal '{tok}'",
                                       self._tok(tok)))
        return A.IntLit(value, span=self._tok(tok))

    @v_args(meta=True)
    def true_lit(self, meta, children):
        return A.BoolLit(True, span=self._span(meta))

    @v_args(meta=True)
    def false_lit(self, meta, children):
        return A.BoolLit(False, span=self._span(meta))

    @v_args(meta=True)
    def none_lit(self, meta, children):
        return A.NoneLit(span=self._span(meta))

    @v_args(meta=True)
    def tuple_lit(self, meta, children):
        return A.TupleLit(tuple(c for c in children if c is not None), span=self._span(meta))

    @v_args(meta=True)
    def seq_lit(self, meta, children):
        return A.SeqLit(tuple(c for c in children if c is not None), span=self._span(meta))

    @v_args(meta=True)
    def fun_set(self, meta, children):
        domain, codomain = children
        return A.FunSet(domain, codomain, span=self._span(meta))

    @v_args(meta=True)
    def empty_set(self, meta, children):
        return A.SetLit((), span=self._span(meta))

    @v_args(meta=True)
    def set_lit(self, meta, children):
        return A.SetLit(tuple(c for c in children if c is not None), span=self._span(meta))

    @v_args(meta=True)
    def set_comp(self, meta, children):
        elem, *fors = children
        return A.SetComp(elem, tuple(fors), span=self._span(meta))

    @v_args(meta=True)
    def seq_comp(self, meta, children):
        elem, *fors = children
        return A.SeqComp(elem, tuple(fors), span=self._span(meta))

    @v_args(meta=True)
    def map_comp(self, meta, children):
        key, value, *fors = children
        return A.MapComp(key, value, tuple(fors), span=self._span(meta))

    @v_args(meta=True)
    def map_lit(self, meta, children):
        return A.MapLit(tuple(children), span=self._span(meta))

    @v_args(inline=True)
    def map_item(self, key, value):
        return (key, value)

    @v_args(meta=True)
    def comp_for(self, meta, children):
        *names, domain, cond = children
        return A.CompFor(tuple(str(n) for n in names), domain, cond, span=self._span(meta))
