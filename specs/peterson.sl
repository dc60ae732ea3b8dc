spec Peterson
# Peterson's mutual exclusion algorithm for two processes (1981).  To enter its
# critical section a process raises its flag, then gives the turn to the other
# one, then waits until the other's flag is down or the turn is its own.
# Mutual exclusion holds in every state; starvation freedom (a waiting process
# eventually enters) holds when every step of a process is weakly fair.

const Procs = {p0, p1}

enum PC = {idle, flagged, waiting, critical}

var turn: Procs = p0

def other(p) = choose q in Procs: q != p

fair weak process P(self in Procs):
    var flag: bool = false
    var pc: PC = idle

    action request:
        require pc == idle
        flag := true
        pc := flagged

    action yieldTurn:
        require pc == flagged
        turn := other(self)
        pc := waiting

    action enter:
        require pc == waiting and (not P[other(self)].flag or turn == self)
        pc := critical

    action leave:
        require pc == critical
        flag := false
        pc := idle

invariant MutualExclusion:
    forall p, q in Procs: p != q implies not (P[p].pc == critical and P[q].pc == critical)

property StarvationFree: forall p in Procs: P[p].pc == waiting leads_to P[p].pc == critical

check two:
    expect MutualExclusion holds
    expect StarvationFree holds
