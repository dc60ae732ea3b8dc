spec ChangRobertsInit
# Chang and Roberts's leader election (see chang_roberts.sl) with the joint initial
# conditions in an `init:` block: the initiators are chosen, then each node's
# state follows from whether it is one (a `for` loop over the nodes writes the
# map entry by entry).  TLC finds 137 distinct states for N = 3.

const N = 3

enum Status = {cand, lost, won}
enum Label = {n0, n1}

def succ(n) = 1 if n == N else n + 1

var msgs: map[1..N, set[1..N]] = {n: {} for n in 1..N}
var initiator: map[1..N, bool]
var state: map[1..N, Status] = {n: lost for n in 1..N}
var pc: map[1..N, Label] = {n: n0 for n in 1..N}

init:
    choose chosen in [1..N -> bool]:
        initiator := chosen
        for n in 1..N:
            if chosen[n]:
                state[n] := cand

action start(self in 1..N):
    require pc[self] == n0
    if initiator[self]:
        msgs[succ(self)] := msgs[succ(self)] | {self}
    pc[self] := n1

action receive(self in 1..N, id in 1..N):
    require pc[self] == n1 and id in msgs[self]
    msgs[self] := msgs[self] - {id}
    if state[self] == lost:
        msgs[succ(self)] := msgs[succ(self)] | {id}
    elif id < self:
        state[self] := lost
        msgs[succ(self)] := msgs[succ(self)] | {id}
    elif id == self:
        state[self] := won

invariant Correctness:
    (forall n in 1..N:
        state[n] == won
            implies (initiator[n]
                and (forall m in 1..N:
                    m != n implies state[m] == lost and (initiator[m] implies m > n))))

allow deadlock

check three(N = 3):
    expect Correctness holds
