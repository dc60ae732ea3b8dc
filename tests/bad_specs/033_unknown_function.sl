spec UnknownFunction
const S = {1, 2, 3}
var x: 0..3 = 0
invariant Small: x <= size(S)
