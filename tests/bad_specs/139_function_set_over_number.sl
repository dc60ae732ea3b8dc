spec NotASet
const N = 3
var c in [N -> 0..1]
