"""`--dot`: the reachable state graph of a small model, or the counterexamples, as DOT.

The files are parsed with pydot (a DOT parser in Python), so a syntax error
fails the test; the node and edge counts are compared with the model's.
"""

from __future__ import annotations

from pathlib import Path

import pydot
import pytest

from stateline import cli

ROOT = Path(__file__).resolve().parent.parent
EDGE = ROOT / "tests" / "report_specs"

# pydot's parser uses pyparsing names that pyparsing 3.3 deprecates
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def dot_of(tmp_path, *args) -> tuple[int, list]:
    out = tmp_path / "graph.dot"
    code = cli.main(["check", *args, "--no-progress", "--quiet", "--dot", str(out)])
    graphs = pydot.graph_from_dot_data(out.read_text())
    assert graphs and len(graphs) == 1
    return code, graphs[0].get_subgraphs()


def attrs(item) -> dict:
    return {k: v.strip('"') for k, v in item.get_attributes().items()}


def test_small_model_gives_the_whole_graph_with_the_counterexample_in_red(tmp_path):
    code, clusters = dot_of(tmp_path, str(EDGE / "counter.sl"))
    assert code == 1
    (cluster,) = clusters
    nodes = {n.get_name(): attrs(n) for n in cluster.get_nodes()}
    edges = [(e.get_source(), e.get_destination(), attrs(e)) for e in cluster.get_edges()]
    assert len(nodes) == 6                           # x in 0..5, every state reachable
    assert len(edges) == 6                           # five incs and one reset
    assert nodes["c0_s0"].get("peripheries") == "2"  # the initial state
    red = [(a, b) for a, b, at in edges if at.get("color") == "#cf222e"]
    assert red == [("c0_s0", "c0_s1"), ("c0_s1", "c0_s2"), ("c0_s2", "c0_s3"),
                   ("c0_s3", "c0_s4")]               # Small fails at x = 4
    assert nodes["c0_s4"].get("fillcolor") == "#ffebe9"
    assert "x = 4" in nodes["c0_s4"]["label"]
    assert "reset" in {at["label"] for _, _, at in edges}


def test_a_lasso_closes_its_loop(tmp_path):
    _, (cluster,) = dot_of(tmp_path, str(EDGE / "lasso.sl"), "--dot-max-states", "2")
    edges = [(e.get_source(), e.get_destination(), attrs(e)) for e in cluster.get_edges()]
    # too big for the bound: the counterexample alone, its last step back to the start
    assert [(a, b) for a, b, _ in edges] == [("c0_0_s0", "c0_0_s1"), ("c0_0_s1", "c0_0_s2"),
                                             ("c0_0_s2", "c0_0_s0")]
    assert edges[-1][2]["style"] == "dashed"
    assert "SettlesAtTwo" in attrs(cluster)["label"]


def test_large_model_gives_the_counterexample_only(tmp_path):
    _, (cluster,) = dot_of(tmp_path, str(ROOT / "specs" / "labs" / "paxos_no_quorum.sl"))
    nodes = cluster.get_nodes()
    assert len(nodes) == 9                          # the initial state and eight steps
    labels = [attrs(e)["label"] for e in cluster.get_edges()]
    assert labels[0].startswith("1. Leader[0].prepare")
    assert "received Accept(bal=1, val=v2)" in labels[-1]


def test_a_large_model_without_counterexample_is_not_drawn(tmp_path, capsys):
    spec = tmp_path / "grid.sl"
    spec.write_text("spec Grid\nvar x: 0..9 = 0\nvar y: 0..9 = 0\n"
                    "action right:\n    require x < 9\n    x := x + 1\n"
                    "action up:\n    require y < 9\n    y := y + 1\n"
                    "invariant Inside: x + y <= 18\nallow deadlock\n")
    code, (cluster,) = dot_of(tmp_path, str(spec), "--dot-max-states", "50")
    assert code == 0
    assert "more than 50 states" in capsys.readouterr().err
    assert [n.get_name() for n in cluster.get_nodes()] == ["c0_note"]


def test_dot_is_deterministic(tmp_path):
    a, b = tmp_path / "a.dot", tmp_path / "b.dot"
    for out in (a, b):
        cli.main(["check", str(EDGE / "fifo.sl"), "--no-progress", "--quiet", "--dot", str(out)])
    assert a.read_text() == b.read_text()
