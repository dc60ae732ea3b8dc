spec PropertyTwice
var x: 0..3 = 0
invariant Safe: x >= 0
invariant Safe: x <= 3
