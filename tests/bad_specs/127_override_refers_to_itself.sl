spec OverrideSelf
const N = 3
var x: 0..N = 0
action inc if x < N: x := x + 1
allow deadlock
