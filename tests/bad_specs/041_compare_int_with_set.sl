spec CompareIntSet
const S = {1, 2}
var x: 0..3 = 0
invariant Bad: x == S
