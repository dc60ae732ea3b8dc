spec CallConst
const N = 3
var x: 0..3 = 0
invariant Bad: x < N(1)
