spec LossyLink
# Two handlers of Data as alternatives (delivered or lost); tests/test_branching.py pins
# that it explores exactly the states and transitions of lossy_link_either.sl.
network bag
message Data(n: 1..2)

process Sender:
    var next: 1..3 = 1

    action transmit if next <= 2:
        send Data(next)
        next := next + 1

process Receiver:
    var got: set[1..2] = {}
    var lost: set[1..2] = {}

    # delivered
    on Data(m) if m.n not in lost:
        got := got | {m.n}

    # or lost: where both guards hold, both are successors
    on Data(m) if m.n not in got:
        lost := lost | {m.n}

invariant Disjoint: Receiver.got & Receiver.lost == {}
# Violated: Data(1) can be delivered (a counterexample that names the branch).
invariant NothingDelivered: Receiver.got == {}
allow deadlock

check link:
    expect Disjoint holds
    expect NothingDelivered violated
