"""`enabled(A)` compiled: one Python function per target that runs A's successor code
and returns True at its first successor (lang/enabled.py says what it means).

The function is the action's own successor code (`ModelCompiler.emit_action`, the
same guards, loops, `either` branches, messages and bodies), with each successor
replaced by `return True`: it stops at the first one, builds no state tuple, and
raises the run-time errors the step itself raises (a failing `assert`, a value
outside its type).  A target naming one instance compiles the action for that
instance only: with a constant instance its `self` is folded as in the unrolled
successor code; otherwise the function takes the instance as its second argument.
"""

from __future__ import annotations

from ..lang.enabled import EnabledE
from .code import Code, Unsupported
from .domains import DBool
from .statements import Emitter, StateView


class EnabledMixin:
    """`ExprGen._EnabledE`: a call of the target's compiled function."""

    def _EnabledE(self, e: EnabledE, env, view):
        compiler = getattr(self, "compiler", None)
        if compiler is None or not isinstance(view, StateView):
            raise Unsupported("enabled() is evaluated in a state, in a property")
        state = "t" if e.primed else "s"
        key = self.expr(e.key, env, view) if e.key is not None else None
        if key is None or key.const:
            name = compiler.enabled_function(e, key)
            return Code(f"{name}({state})", DBool())
        name = compiler.enabled_function(e, key)
        return Code(f"{name}({state}, {key.src})", DBool())


class EnabledCompiler:
    """`ModelCompiler.enabled_function` (a mixin of the compiler)."""

    def enabled_function(self, e: EnabledE, key: Code | None) -> str:
        """The name of the function deciding `e` (compiled and defined on first use):
        f(state) for a constant or absent instance, f(state, instance) otherwise."""
        cache = self.__dict__.setdefault("_enabled", {})
        ident = (e.process, e.names, None if key is None else
                 ("const", key.value) if key.const else "dynamic")
        if ident in cache:
            return cache[ident]
        name = f"_enabled_{len(cache)}"
        em = Emitter()
        proc = self.system.processes.get(e.process) if e.process else None
        args = "s" if key is None or key.const else "s, _key"
        saved = self._fan
        with em.block(f"def {name}({args}):"):
            self.unpack(em, "S", "s")
            instance = None
            if key is not None and proc is not None and not proc.single:
                instance = self._enabled_instance(em, e, key, proc)
            if instance is not False:
                for k, action in enumerate(self.system.actions):
                    if e.matches(action):
                        self._fan = 1
                        self.emit_action(em, k, action, False, instance)
            em.line("return False")
        self._fan = saved
        lines = [_first_successor(line) for line in em.lines]
        src = "\n".join(lines) + "\n"
        ns = self.ctx.ns
        exec(compile(src, f"<stateline enabled({e.label})>", "exec"), ns)  # noqa: S102
        cache[ident] = name
        return name

    def _enabled_instance(self, em: Emitter, e: EnabledE, key: Code, proc):
        """The Code of the instance `self` is bound to (False: no instance: the key is a
        constant that is not one, which is an error when evaluated)."""
        site = self.gen.site(e.key.span)
        if key.const:
            if key.value not in proc.instances:
                shown = proc.instance_dom.show(key.value) if proc.instance_dom.contains(
                    key.value) else repr(key.value)
                em.line(f"_rt.fail({site}, {f'instance of {proc.name}: {shown}'!r} "
                        f"' is not an instance')")
                return False
            return self.gen.constant(key.value, proc.instance_dom)
        table = self.gen.register({v: i for i, v in enumerate(proc.instances)}, "I")
        em.line(f"_rt.position({table}, _key, {site}, 'instance of {proc.name}')")
        return Code("_key", proc.instance_dom)


def _first_successor(line: str) -> str:
    """A line of successor code, in the enabled function: a successor returns True."""
    body = line.lstrip()
    indent = line[:len(line) - len(body)]
    if body.startswith("app("):
        return indent + "return True"
    if body.startswith("if len(out) > _cap"):
        return indent + "pass"
    return line
