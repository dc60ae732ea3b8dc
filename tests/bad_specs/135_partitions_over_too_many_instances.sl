spec ManyNodes
network bag partitions(1)
message Ping
process P(self in 1..21):
    var x: 0..1 = 0
    action set: x := 1
allow deadlock
