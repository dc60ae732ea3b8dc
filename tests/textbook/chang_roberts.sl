spec ChangRoberts
# Chang and Roberts's leader election on a unidirectional ring (CACM 22(5),
# 1979), after Stephan Merz's PlusCal spec in the TLA+ examples (ChangRoberts.tla,
# with MCChangRoberts's identities Id[i] = i).  Any node may be an initiator: an
# initiator sends its identity to its successor; a node that has lost forwards
# every identity it receives; a candidate forwards (and loses to) a smaller
# identity, swallows a larger one, and wins on receiving its own.
#
# The initial state of each node depends on another initial choice: `initiator`
# is any boolean and `state` is `cand` exactly for initiators.  TLC finds 137
# distinct states for N = 3.

const N = 3

enum Status = {cand, lost, won}
enum Label = {n0, n1}

def succ(n) = 1 if n == N else n + 1

var msgs: map[1..N, set[1..N]] = {n: {} for n in 1..N}  # waiting at node n

fair weak process Node(self in 1..N):
    var initiator in bool
    var state: Status = cand if initiator else lost
    var pc: Label = n0

    action start:
        require pc == n0
        if initiator:
            msgs[succ(self)] := msgs[succ(self)] | {self}
        pc := n1

    action receive(id in 1..N):
        require pc == n1 and id in msgs[self]
        msgs[self] := msgs[self] - {id}
        if state == lost:
            msgs[succ(self)] := msgs[succ(self)] | {id}
        elif id < self:
            state := lost
            msgs[succ(self)] := msgs[succ(self)] | {id}
        elif id == self:
            state := won

invariant Correctness:
    (forall n in 1..N:
        Node[n].state == won
            implies (Node[n].initiator
                and (forall m in 1..N:
                    m != n implies Node[m].state == lost and (Node[m].initiator implies m > n))))

allow deadlock

check three(N = 3):
    expect Correctness holds
