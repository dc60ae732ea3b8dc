spec EWD840Init
# Dijkstra's termination detection on a ring (EWD 840), after Stephan Merz's
# TLA+ spec in the TLA+ examples (EWD840.tla).  Nodes 0..N-1 are active or
# passive and white or black; a token travels from node N-1 down to node 0.
# Node 0 starts a probe; a node passes the token on once it is passive (or
# tainted), blackening the token if it is black itself; a node that sends a
# message to a higher-numbered node turns black.  TLC finds 302 distinct states
# for N = 3.
#
# Written with the joint initial conditions in an `init:` block, as the TLA+
# original's Init: every node's activity and colour, and the token's position,
# are chosen (2^3 * 2^3 * 3 initial states); the token starts black.

const N = 3

enum Color = {white, black}

var active: map[0..N - 1, bool]
var color: map[0..N - 1, Color]
var tpos: 0..N - 1
var tcolor: Color

init:
    choose a in [0..N - 1 -> bool]:
        choose c in [0..N - 1 -> Color]:
            choose t in 0..N - 1:
                active := a
                color := c
                tpos := t
                tcolor := black

def terminated = forall i in 0..N - 1: not active[i]
def terminationDetected = tpos == 0 and tcolor == white and color[0] == white and not active[0]

action initiateProbe:
    require tpos == 0 and (tcolor == black or color[0] == black)
    tpos := N - 1
    tcolor := white
    color[0] := white

action passToken(i in 1..N - 1):
    require tpos == i and (not active[i] or color[i] == black or tcolor == black)
    tpos := i - 1
    tcolor := black if color[i] == black else tcolor
    color[i] := white

action sendMsg(i in 0..N - 1, j in 0..N - 1):
    require active[i] and j != i
    active[j] := true
    if j > i:
        color[i] := black

action deactivate(i in 0..N - 1):
    require active[i]
    active[i] := false

invariant TerminationDetection: terminationDetected implies terminated

allow deadlock

check three(N = 3):
    expect TerminationDetection holds
