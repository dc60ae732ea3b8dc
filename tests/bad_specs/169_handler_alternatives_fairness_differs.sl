# two handlers of one message with different fairness: they share one condition (SL106)
spec AltFairness
network set
message Ping

process Node:
    var got: 0..2 = 0

    action ping:
        send Ping

    fair weak on Ping(m):
        got := 1

    on Ping(m):
        got := 2

check c:
    expect DeadlockFreedom holds
