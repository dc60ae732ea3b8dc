"""`stateline explore`: the exploration session, the web app, and the page in Chromium.

The session tests pin what the explorer computes (enabled steps, the path, the
counterexample it jumps to, replaying a saved trace) against `stateline check`
on the same spec; the app tests drive the routes with Starlette's test client;
the browser test starts the real command and clicks through the Paxos lab's
counterexample in headless Chromium (skipped only when Chromium is absent, and
never under CI=true).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from stateline.cli import main
from stateline.explore.app import create_app
from stateline.explore.session import Session, SessionError
from stateline.lang.load import LoadError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import Chromium, find_chromium  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAXOS = str(ROOT / "specs/labs/paxos_no_quorum.sl")
needs_chromium = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("CI"),
    reason="chromium is not installed (apt-get install chromium; .ci/run installs it)")

# The Paxos lab's counterexample as `stateline check` prints it (docs/labs/paxos_quorum.md).
PAXOS_STEPS = [
    ("Leader[0].prepare", None),
    ("Acceptor[a1].on Prepare", "Prepare(bal=0)"),
    ("Leader[1].prepare", None),
    ("Acceptor[a1].on Prepare", "Prepare(bal=1)"),
    ("Leader[0].proposeAny(v=v1, q={a1})", None),
    ("Acceptor[a2].on Accept", "Accept(bal=0, val=v1)"),
    ("Leader[1].proposeAny(v=v2, q={a1})", None),
    ("Acceptor[a1].on Accept", "Accept(bal=1, val=v2)"),
]


def _client(session):
    from starlette.testclient import TestClient
    return TestClient(create_app(session))


def _take(session: Session, title: str, received: str | None) -> None:
    match = [o for o in session.enabled() if o.step.title() == title and
             (o.step.received.shown if o.step.received else None) == received]
    assert match, (title, [o.step.title() for o in session.enabled()])
    session.take(match[0].index)


def _holds(session: Session) -> dict:
    return {p.name: p.holds for p in session.properties()}


# ---- the session -------------------------------------------------------------------------

def test_session_steps_and_properties_follow_the_compiled_model():
    s = Session.open(PAXOS)
    assert s.check.name == "small"
    assert [o.step.title() for o in s.enabled()] == ["Leader[0].prepare", "Leader[1].prepare"]
    assert _holds(s) == {"Agreement": True, "DeadlockFreedom": True}
    for title, received in PAXOS_STEPS:
        _take(s, title, received)
    assert s.depth == 8
    assert _holds(s) == {"Agreement": False, "DeadlockFreedom": True}
    assert s.evaluate("chosen(v1)") == "true" and s.evaluate("chosen(v2)") == "true"
    assert s.evaluate("Acceptor[a1].maxVal") == "v2"
    # The path is the one `check` reports: the same steps, the same changes.
    jumped = Session.open(PAXOS)
    trace = jumped.jump("Agreement")
    assert [st.title() for st in trace.steps] == [st.title() for st in s.trace().steps]
    assert trace.steps == s.trace().steps
    assert jumped.states == s.states


def test_back_and_forward_keep_the_undone_steps_until_another_is_taken():
    s = Session.open(PAXOS)
    s.jump("Agreement")
    assert s.back() and s.back()
    assert s.depth == 6 and len(s.redo) == 2 and _holds(s)["Agreement"] is True
    assert s.forward() and s.depth == 7 and len(s.redo) == 1
    s.go(8)
    assert _holds(s)["Agreement"] is False and not s.forward()
    s.go(2)
    _take(s, "Leader[1].prepare", None)         # the same step as the path's third: kept
    assert len(s.redo) == 5
    s.back()
    _take(s, "Leader[0].proposeAny(v=v1, q={a1})", None)     # a different one: redo dropped
    assert s.redo == [] and s.depth == 3
    s.go(0)
    assert not s.back() and s.depth == 0
    with pytest.raises(SessionError, match="no step 9"):
        s.go(9)
    with pytest.raises(SessionError, match="no enabled step 7"):
        s.take(7)


def test_properties_at_an_earlier_step_and_the_transition_invariants():
    s = Session.open(PAXOS)
    s.jump("Agreement")
    assert [p.holds for p in s.properties(at=7)][0] is True
    assert [p.holds for p in s.properties(at=8)][0] is False


def test_jump_refuses_a_property_without_a_counterexample():
    s = Session.open(PAXOS)
    assert s.violated() == [("Agreement", "invariant", "violated", 8)]
    with pytest.raises(SessionError, match="DeadlockFreedom is not violated"):
        s.jump("DeadlockFreedom")
    with pytest.raises(SessionError, match="no property 'Nope'"):
        s.jump("Nope")


def test_replay_of_a_saved_json_and_itf_counterexample(tmp_path):
    out, itf = tmp_path / "r.json", tmp_path / "itf"
    assert main(["check", PAXOS, "--no-progress", "--quiet", "--json", str(out),
                 "--itf", str(itf)]) == 0
    from stateline.otlp.document import load
    for path in [out, *sorted(itf.iterdir())]:
        doc = load(str(path))
        s = Session.open(PAXOS)
        s.replay(doc["results"][0]["properties"][0]["trace"])
        assert s.depth == 8 and _holds(s)["Agreement"] is False, path
    # A trace of another instance does not replay: the step that differs is named.
    doc = json.loads(out.read_text())
    trace = doc["results"][0]["properties"][0]["trace"]
    trace["steps"][4]["params"]["v"] = "v3"
    with pytest.raises(SessionError, match=r"step 5 of the saved trace \(Leader\[0\]\."
                                           r"proposeAny\(v=v3, q=\{a1\}\)\) is not enabled"):
        Session.open(PAXOS).replay(trace)


def test_expressions_are_typed_against_the_spec(tmp_path):
    s = Session.open(PAXOS)
    assert s.evaluate("{a: Acceptor[a].maxBal for a in Acceptors}") == "{a1: -1, a2: -1, a3: -1}"
    assert s.evaluate("Quorums") == "{{a1}, {a2}, {a3}}"
    assert s.evaluate("len(sent(Prepare))") == "0"
    with pytest.raises(LoadError) as exc:
        s.evaluate("Acceptor[a1].maxBall")
    assert exc.value.diagnostics[0].code == "SL203"
    with pytest.raises(LoadError) as exc:
        s.evaluate("1 +")
    assert exc.value.diagnostics[0].code == "SL102"
    spec = tmp_path / "div.sl"
    spec.write_text("spec Div\nvar x: 0..2 = 0\naction inc:\n    require x < 2\n    x := x + 1\n"
                    "allow deadlock\n")
    d = Session.open(str(spec))
    with pytest.raises(SessionError, match="division by zero"):
        d.evaluate("1 // x")
    assert "x" in d.names()


def test_a_changed_spec_is_stale_and_reload_follows_the_path(tmp_path):
    spec = tmp_path / "p.sl"
    spec.write_text(Path(PAXOS).read_text())
    s = Session.open(str(spec))
    s.jump("Agreement")
    assert not s.stale()
    spec.write_text(Path(PAXOS).read_text().replace("len(q) == 1", "len(q) >= 2"))
    assert s.stale()
    fresh = s.reload()
    # majorities: step 5 (proposeAny with q={a1}) no longer exists
    assert fresh.depth == 4 and not fresh.stale()
    assert fresh.evaluate("Quorums") == "{{a1, a2}, {a1, a3}, {a2, a3}, {a1, a2, a3}}"


# ---- the web app -------------------------------------------------------------------------

def test_app_routes_take_steps_and_refuse_stale_states(tmp_path):
    spec = tmp_path / "p.sl"
    spec.write_text(Path(PAXOS).read_text())
    client = _client(Session.open(str(spec)))
    page = client.get("/")
    assert page.status_code == 200 and 'data-depth="0"' in page.text
    assert client.post("/take/1").status_code == 200          # redirected to the page
    state = client.get("/api/state").json()
    assert state["path"] == ["Leader[1].prepare"] and state["depth"] == 1
    assert "no enabled step 99 (there are 5)" in client.post("/take/99").text   # (once)
    assert "no enabled step 99" not in client.get("/").text
    client.post("/jump/Agreement")
    assert client.get("/api/state").json()["properties"] == {"Agreement": False,
                                                             "DeadlockFreedom": True}
    assert 'class="fails" data-prop="Agreement"' in client.get("/").text
    assert 'class="holds" data-prop="Agreement"' in client.get("/?at=3").text
    client.post("/back")
    assert client.get("/api/state").json()["depth"] == 7
    spec.write_text(spec.read_text() + "\n# edited\n")
    stale = client.get("/")
    assert stale.status_code == 409 and "has changed on disk" in stale.text
    assert client.post("/forward").status_code == 409
    assert client.get("/api/state").status_code == 409
    client.post("/reload")
    state = client.get("/api/state").json()
    assert state["depth"] == 7 and not state["stale"]


def test_a_violated_linearizable_history_shows_the_explanation():
    client = _client(Session.open(str(ROOT / "specs/cap.sl"), check="ap"))
    assert "cannot take effect" not in client.get("/").text
    client.post("/jump/Linearizable")
    page = client.get("/").text
    row = re.search(r'<tr class="fails" data-prop="Linearizable">.*?</tr>', page, re.S)[0]
    assert ('<span class="why">H is not linearizable: op 1 (process c2: read -&gt; none, '
            "events 2-3) cannot take effect between its invoke and its return") in row
    # the diagram marks that operation: the bar of c2's read on its lane
    bars = re.findall(r'<g class="(interval [a-z ]+)" data-lanes="([^"]+)" data-op="(\d+)"',
                      page)
    assert bars == [("interval ok", "Client[c1]", "0"), ("interval ok stuck", "Client[c2]", "1")]
    # an earlier state, where the history is still linearizable, has no explanation
    assert '<span class="why">' not in client.get("/?at=4").text


def test_app_refuses_other_hosts():
    from starlette.testclient import TestClient
    client = TestClient(create_app(Session.open(PAXOS), ["127.0.0.1", "localhost"]),
                        base_url="http://127.0.0.1:8040")
    assert client.get("/").status_code == 200
    assert client.get("/", headers={"host": "attacker.example"}).status_code == 400


def test_cli_errors(tmp_path, capsys):
    assert main(["explore", PAXOS, "--check", "nope", "--port", "0"]) == 2
    assert "error[SL505]" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert main(["explore", PAXOS, "--trace", str(bad), "--port", "0"]) == 2
    assert "error[SL701]" in capsys.readouterr().err


# ---- in the browser ----------------------------------------------------------------------

def _serve(*args):
    proc = subprocess.Popen([sys.executable, "-m", "stateline", "explore", *args, "--port", "0"],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        m = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if m:
            return proc, m.group(0)
    proc.kill()
    raise AssertionError("the explorer printed no URL")


def _stop(proc) -> None:
    proc.terminate()
    assert proc.wait(timeout=20) == 0


def _rows(browser) -> dict:
    return browser.evaluate("Object.fromEntries([...document.querySelectorAll("
                            "'table.props tr[data-prop]')].map(r => [r.dataset.prop, "
                            "r.querySelector('td.mark').textContent]))")


@needs_chromium
def test_explore_the_paxos_lab_in_chromium(tmp_path):
    proc, url = _serve("specs/labs/paxos_no_quorum.sl")
    try:
        with Chromium() as browser:
            browser.navigate(url)
            assert _rows(browser) == {"Agreement": "holds", "DeadlockFreedom": "holds"}
            for n, (title, received) in enumerate(PAXOS_STEPS, 1):
                data = title + (f" ← {received}" if received else "")
                browser.click(f'#enabled button[data-title="{data}"]')
                assert browser.evaluate("document.getElementById('depth').dataset.depth") == \
                    str(n)
                expected = "violated" if n == 8 else "holds"
                assert _rows(browser)["Agreement"] == expected, n
            # the diagram of the path: 8 steps, the last marked as violating
            assert browser.evaluate("document.querySelectorAll('svg.msc g.step').length") == 8
            assert browser.evaluate("document.querySelectorAll('svg.msc g.violation').length") \
                == 1
            browser.click("form[action='/back'] button")
            assert _rows(browser)["Agreement"] == "holds"
            assert browser.evaluate("document.getElementById('depth').dataset.depth") == "7"
            browser.click("form[action='/restart'] button")
            browser.click("button.jump[data-title='Agreement']")
            assert browser.evaluate("document.getElementById('depth').dataset.depth") == "8"
            assert _rows(browser)["Agreement"] == "violated"
            # clicking a step of the diagram shows the state after it
            browser.click("#path-row-6 a")
            assert browser.evaluate("document.getElementById('state').dataset.step") == "6"
            assert _rows(browser)["Agreement"] == "holds"
            cards = browser.evaluate("[...document.querySelectorAll('.card h3')]"
                                     ".map(h => h.textContent)")
            assert cards == ["Acceptor[a1]", "Acceptor[a2]", "Acceptor[a3]", "network"]
    finally:
        _stop(proc)


@needs_chromium
def test_explore_opens_a_saved_trace_in_chromium(tmp_path):
    out = tmp_path / "r.json"
    assert main(["check", PAXOS, "--no-progress", "--quiet", "--json", str(out)]) == 0
    proc, url = _serve(PAXOS, "--trace", str(out))
    try:
        with Chromium() as browser:
            browser.navigate(url)
            assert browser.evaluate("document.getElementById('depth').dataset.depth") == "8"
            assert _rows(browser)["Agreement"] == "violated"
    finally:
        _stop(proc)
