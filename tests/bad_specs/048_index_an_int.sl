spec IndexInt
var x: 0..3 = 0
invariant Bad: x[0] == 1
