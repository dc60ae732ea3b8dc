spec TwoConstants
const Readers = {r1, r2}
const Writers = {w1, r2}
var x: 0..1 = 0
invariant I: r2 in Readers
allow deadlock
