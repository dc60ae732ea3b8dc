spec NetAttr
network bag partitions(1)
message M
process P(self in 0..1):
    var x: 0..1 = 0
invariant I: network.splits == 0
allow deadlock
