spec ConstNet
network bag partitions(1)
message M
const C = network.partitions
process P(self in 0..1):
    var x: 0..1 = 0
allow deadlock
