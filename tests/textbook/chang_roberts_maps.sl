spec ChangRobertsMaps
# Chang and Roberts's leader election (see chang_roberts.sl) written as the TLA+
# translation of the PlusCal spec writes its Init: the initiators are a function
# chosen from [Node -> BOOLEAN], and every node's state follows from it.  TLC finds
# 137 distinct states for N = 3.

const N = 3

enum Status = {cand, lost, won}
enum Label = {n0, n1}

def succ(n) = 1 if n == N else n + 1

var msgs: map[1..N, set[1..N]] = {n: {} for n in 1..N}
var initiator in [1..N -> bool]
var state: map[1..N, Status] = {n: (cand if initiator[n] else lost) for n in 1..N}
var pc: map[1..N, Label] = {n: n0 for n in 1..N}

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
