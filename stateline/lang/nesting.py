"""How deeply a spec may nest, checked on the parse tree before anything recurses.

Every phase after the parser walks the syntax tree recursively (building the
AST, resolving, type checking, compiling), and the Python the compiler
generates has limits of its own (200 nested brackets, 100 indentation levels).
A spec nested deeper than any of them can cope with is refused here, with the
location of the first construct beyond the limit, instead of failing later as a
RecursionError or a SyntaxError in generated code.

*Nesting* counts the constructs inside one another: an operator inside an
operand, a call inside an argument, a block inside a block (each `elif` counts
as one more level, as the `if` inside an `else` it stands for).  A run of the
same left-associative operator (`a + b + c - d`, `p and q and r`) is flat: it
counts once, however long, and compiles to flat Python.  Such runs still make
the tree deep, so the tree's raw depth has a limit too, far above anything
written by hand.
"""

from __future__ import annotations

from lark import Tree

from ..diagnostics import Diagnostic, Span, SpecError

MAX_NESTING = 50     # constructs inside one another
MAX_DEPTH = 310     # levels of the parse tree (long runs of one operator)

# Left-associative operators whose runs are flat: a left operand with the same
# operator (or one of equal precedence) does not nest.
_RUNS = {name: group for group in (("add", "sub"), ("mul", "floordiv", "mod", "truediv"),
                                   ("union",), ("symdiff",), ("intersect",), ("and_expr",),
                                   ("or_expr",))
         for name in group}
# Grouping nodes of the tree that are not constructs of their own.
_TRANSPARENT = {"arg_list", "binder_list", "binder", "comp_for", "map_item", "suite",
                "else_clause", "elif_clause", "name_list", "field_list", "field",
                "param_list", "param", "net_option", "binding", "kwarg"}
# Declarations: the top of nesting.
_DECLARATIONS = {"start", "expr_only"}


def check_nesting(tree: Tree, path: str) -> None:
    """Raise SpecError (SL108) at the first construct nested beyond the limits."""
    stack = [(tree, 0, 0)]
    while stack:
        node, nest, depth = stack.pop()
        if depth > MAX_DEPTH:
            _refuse(node, path, f"this expression is too long or too deeply nested to "
                                f"compile (its syntax tree is more than {MAX_DEPTH} levels "
                                f"deep); split it, e.g. with definitions")
        if nest > MAX_NESTING:
            _refuse(node, path, f"this is nested more than {MAX_NESTING} levels deep "
                                f"(constructs inside one another); split it, e.g. with "
                                f"definitions")
        children = [c for c in node.children if isinstance(c, Tree)]
        pushed = []
        elifs = 0
        for i, child in enumerate(children):
            if node.data in _DECLARATIONS or child.data in _TRANSPARENT:
                inner = nest
            elif i == 0 and node.data in _RUNS and _RUNS.get(child.data) == _RUNS[node.data]:
                inner = nest           # the left operand of a run: the same level
            else:
                inner = nest + 1
            if child.data == "elif_clause":      # `elif` is an `if` inside the `else`
                elifs += 1
                inner += elifs
            elif child.data == "else_clause":
                inner += elifs
            pushed.append((child, inner, depth + 1))
        stack.extend(reversed(pushed))


def _refuse(node: Tree, path: str, message: str) -> None:
    meta = node.meta
    line = getattr(meta, "line", None) or 1
    col = getattr(meta, "column", None) or 1
    end_line = getattr(meta, "end_line", None) or line
    end_col = getattr(meta, "end_column", None) if end_line == line else None
    raise SpecError(Diagnostic("SL108", message, Span(path, line, col, line,
                                                      end_col or col + 1)))
