spec P
network bag
message Ping(n: 0..1)

process A:
    var got: 0..1 = 0

    on Ping(m):

    action start:
        send Ping(1)
allow deadlock
