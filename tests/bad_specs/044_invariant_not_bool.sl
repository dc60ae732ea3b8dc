spec InvariantNotBool
var x: 0..3 = 0
invariant Count: x + 1
