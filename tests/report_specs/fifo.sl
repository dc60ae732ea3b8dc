spec Fifo
# Messages with destinations (a fifo network) that are dropped (lossy), so
# the server can see 1 without 0.
network fifo lossy
message Num(n: 0..1)

process Client:
    var next: 0..2 = 0
    action push if next < 2:
        send Num(next) to Server
        next := next + 1

process Server:
    var log: seq[0..1, 2] = []
    on Num(m):
        log := log + [m.n]

invariant InOrder: forall i in 0..len(Server.log) - 1: Server.log[i] == i

check c:
    expect InOrder holds
    allow deadlock
