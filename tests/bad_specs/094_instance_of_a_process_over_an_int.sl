spec InstanceOverInt
# The instances of a process are a set: `5` is not one.
process P(self in 5):
    var x: 0..1 = 0
    action set: x := 1
invariant Zero: P[1].x == 0
allow deadlock
