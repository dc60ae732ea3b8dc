spec HandlerFairness
# Two fair handlers of Ping: one condition, weak fairness of their disjunction, which
# taking the first forever satisfies; `per handler` makes each fair on its own.
network set
message Ping

process Node:
    var sent: bool = false
    var flip: bool = false
    var got: bool = false

    fair weak action ping if not sent:
        sent := true
        send Ping

    fair weak on Ping(m):
        flip := not flip

    fair weak on Ping(m):
        got := true

property Delivered: eventually Node.got

check disjunction:
    expect Delivered violated

check perHandler:
    fair weak Node.Ping per handler
    expect Delivered holds
