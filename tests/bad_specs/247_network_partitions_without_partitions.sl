spec NoPartitions
network bag
message M
var x: 0..1 = 0
invariant I: network.partitions == 0
allow deadlock
