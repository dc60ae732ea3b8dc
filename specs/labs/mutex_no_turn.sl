spec MutexNoTurn
# Lab: Peterson's algorithm without the turn variable.  Each process raises its
# flag and waits until the other's flag is down.  Mutual exclusion still holds,
# but when both raise their flags at once, each waits for the other forever: a
# deadlock, and so a process that wants to enter starves.

const Procs = {p0, p1}

enum PC = {idle, waiting, critical}

def other(p) = choose q in Procs: q != p

fair weak process P(self in Procs):
    var flag: bool = false
    var pc: PC = idle

    action request:
        require pc == idle
        flag := true
        pc := waiting

    action enter:
        require pc == waiting and not P[other(self)].flag
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
    expect DeadlockFreedom violated
    expect StarvationFree violated
