"""Issue 13 item 10: scoped value names.

Enum values and model values may repeat across enums and constants; `Kind.c`
names one, an unqualified use of a repeated name is SL212 at the use (naming
every declaration), and `none` may name a value when quoted (`` `none` ``) or
qualified (`Node.none`).  Pinned counts and verdicts of the explicit checker, BMC
agreeing with it, `stateline fmt` keeping the quotes, and a generated cross-check:
a spec whose two enums share value names has the state space and verdicts of the
same spec with the second enum's values renamed apart.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from stateline import check_blocks, load_text, run_check
from stateline.cli import main
from stateline.diagnostics import SpecError
from stateline.lang.fmt import format_text
from stateline.prover.results import Claim
from stateline.prover.run import ProveOptions, prove_block

SCOPED = """spec Scoped
enum Label = {cs, idle}
enum Kind = {cs, rem}
const Node = {a, b, `none`}
const Client = {a, c}
var l: map[Node, Label] = {n: Label.idle for n in Node}
var k: Kind = Kind.rem
var holder: Node = Node.none
var last: Client = Client.a

action enter(n in Node):
    require n != Node.none and holder == `none`
    l[n] := Label.cs
    holder := n

action leave(n in Node):
    require l[n] == Label.cs
    l[n] := idle
    holder := `none`
    k := Kind.cs

action serve(x in Client):
    last := x

invariant Mutex: forall n in Node: l[n] == Label.cs implies holder == n
invariant NoneIdle: l[Node.none] == idle
invariant NeverCs: k != Kind.cs
invariant FirstClient: last == Client.a

check all:
    expect Mutex holds
    expect NoneIdle holds
    expect NeverCs violated
    expect FirstClient violated
check two(Node = {a, `none`}, Client = {a}):
    expect Mutex holds
    expect NeverCs violated
    expect FirstClient holds
"""

# The same spec with every repeated or keyword value name renamed apart.
RENAMED = (SCOPED.replace("enum Kind = {cs, rem}", "enum Kind = {kcs, rem}")
           .replace("Kind.cs", "Kind.kcs").replace("`none`", "nobody")
           .replace("Node.none", "Node.nobody").replace("{a, c}", "{ca, c}")
           .replace("Client.a", "Client.ca").replace("Client = {a}", "Client = {ca}"))


def explicit(text: str):
    loaded = load_text(text, "scoped.sl")
    out = []
    for block in check_blocks(loaded):
        r = run_check(loaded, block, {})
        out.append((block.name, r.stats.states, r.stats.transitions,
                    [(v.prop, v.status.value, len(v.trace) if v.trace else None)
                     for v in r.verdicts]))
    return out


def test_pinned_counts_and_verdicts():
    got = explicit(SCOPED)
    assert [(n, s, t) for n, s, t, _ in got] == [("all", 12, 41), ("two", 4, 9)]
    assert got[0][3] == [("Mutex", "holds", None), ("NoneIdle", "holds", None),
                         ("NeverCs", "violated", 2), ("FirstClient", "violated", 1),
                         ("DeadlockFreedom", "holds", None)]
    assert got == explicit(RENAMED)


def test_bmc_agrees_with_the_explicit_checker():
    loaded = load_text(SCOPED, "scoped.sl")
    block = check_blocks(loaded)[0]
    r = prove_block(loaded, block, {}, ProveOptions("bmc", 4, timeout=60))
    assert [(o.name, o.claim) for o in r.obligations] == [
        ("Mutex", Claim.BOUNDED), ("NoneIdle", Claim.BOUNDED), ("NeverCs", Claim.VIOLATED),
        ("FirstClient", Claim.VIOLATED), ("DeadlockFreedom", Claim.BOUNDED)]


def test_fmt_keeps_quoted_and_qualified_names():
    assert format_text(SCOPED) == SCOPED
    messy = SCOPED.replace("{a, b, `none`}", "{ a,b ,  `none` }").replace(
        "enum Kind = {cs, rem}", "enum  Kind = { cs,rem }")
    assert format_text(messy) == SCOPED
    assert format_text("spec E\nenum Vote = {yes, `none`, `true`}\n") == \
        "spec E\nenum Vote = {yes, `none`, `true`}\n"


@pytest.mark.parametrize("decls, use, where, sides, qualified", [
    ("enum Kind = {m, c}\nconst Node = {a, b, c}\n", "var v: Node = c", "4:15",
     "the enum value 'c' of 'Kind' and the model value 'c' of 'Node'", "Node.c"),
    ("const Node = {a, b, c}\nenum Kind = {m, c}\n", "var v: Kind = c", "4:15",
     "the model value 'c' of 'Node' and the enum value 'c' of 'Kind'", "Kind.c"),
    ("enum Label = {cs, idle}\nenum Kind = {cs, m}\n", "invariant I: cs == cs", "4:14",
     "the enum value 'cs' of 'Label' and the enum value 'cs' of 'Kind'", "Kind.cs"),
    ("const Readers = {r1, r2}\nconst Writers = {w1, r2}\n",
     "action a(x in Readers):\n    require x == r2", "5:18",
     "the model value 'r2' of 'Readers' and the model value 'r2' of 'Writers'", "Readers.r2"),
])
def test_an_unqualified_repeated_name_is_ambiguous_at_the_use(tmp_path, capsys, decls, use,
                                                              where, sides, qualified):
    path = tmp_path / "clash.sl"
    path.write_text("spec Clash\n" + decls + use + "\nallow deadlock\n")
    assert main(["check", str(path), "--no-progress"]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    name = sides.split("'")[1]
    assert first == f"{path}:{where}: error[SL212]: '{name}' is ambiguous: {sides}"
    assert err.count("note: '") == 2 and "hint: qualify it: " in err
    # qualified, the same spec is fine
    fixed = use.replace(f" {name}", f" {qualified}")
    path.write_text("spec Clash\n" + decls + fixed + "\nallow deadlock\n")
    assert main(["check", str(path), "--no-progress"]) == 0


@pytest.mark.parametrize("text, code, where", [
    ("spec S\nconst Node = {a, none}\n", "SL202", (2, 18)),          # unquoted: the literal
    ("spec S\nenum L = {x, y}\nvar v: L = L.z\n", "SL203", (3, 12)),
    ("spec S\nenum L = {x, y, x}\n", "SL202", (2, 17)),
    ("spec S\nconst red = 1\nenum Color = {red, green}\n", "SL202", (3, 15)),
    ("spec S\nconst Node = {a, b}\nvar v: Node = Node.c\n", "SL203", (3, 15)),
])
def test_refusals(text, code, where):
    with pytest.raises(SpecError) as exc:
        load_text(text, "s.sl")
    d = exc.value.diagnostics[0]
    assert (d.code, (d.span.line, d.span.col)) == (code, where)


def test_a_check_binding_may_repeat_another_sorts_value_name():
    text = ("spec B\nenum Kind = {p, q}\nconst Node = {n1, n2}\nvar v: Node = Node.n1\n"
            "var k: Kind = p\naction go(n in Node):\n    v := n\n"
            "check renamed(Node = {p, n1}):\n    expect DeadlockFreedom holds\n")
    [(name, states, transitions, _)] = explicit(text)
    assert (name, states, transitions) == ("renamed", 2, 5)


# ---- generated: shared value names behave as names renamed apart -------------------

POOL = ("p", "q", "r")


def _enum_spec(first: tuple[str, ...], second: tuple[str, ...], rename: bool) -> str:
    other = [("z_" + v if rename else v) for v in second]
    lines = ["spec Gen", f"enum E = {{{', '.join(first)}}}",
             f"enum F = {{{', '.join(other)}}}", f"var x: E = E.{first[0]}",
             f"var y: F = F.{other[-1]}", ""]
    for i, v in enumerate(first):
        lines += [f"action e{i}:", f"    require y != F.{other[i % len(other)]}",
                  f"    x := E.{v}", ""]
    for j, w in enumerate(other):
        lines += [f"action f{j}:", f"    require x == E.{first[j % len(first)]}",
                  f"    y := F.{w}", ""]
    lines += [f"invariant I: not (x == E.{first[-1]} and y == F.{other[0]})", "allow deadlock"]
    return "\n".join(lines) + "\n"


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True),
       st.lists(st.sampled_from(POOL), min_size=1, max_size=3, unique=True))
def test_shared_names_are_names_renamed_apart(first, second):
    shared = _enum_spec(tuple(first), tuple(second), rename=False)
    apart = _enum_spec(tuple(first), tuple(second), rename=True)
    assert explicit(shared) == explicit(apart)


def test_the_editor_index_links_a_qualified_name_to_its_value():
    from stateline.lang.parse import parse
    from stateline.lang.symbols import index
    ix = index(parse(SCOPED, "s.sl"), SCOPED)
    kind_cs = ix.at(20, 16)                  # `k := Kind.cs`: the `cs` of Kind
    assert (kind_cs.symbol.name, kind_cs.symbol.decl.name, kind_cs.symbol.span.line) == \
        ("cs", "Kind", 3)
    label_cs = ix.at(13, 16)                 # `l[n] := Label.cs`
    assert (label_cs.symbol.decl.name, label_cs.symbol.span.line) == ("Label", 2)
    assert [s.line for s in ix.uses(kind_cs.symbol)] == [3, 20, 27]
