spec CopiesOfInt
network bag
message M(n: 0..1)
var x: 0..1 = 0
invariant I: copies(x) == 0
allow deadlock
