spec OverrideCycle
const N = 3
const M = N + 1
var x: 0..M = 0
action inc if x < N: x := x + 1
allow deadlock
