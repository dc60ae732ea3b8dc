spec NotAType
var x: 1 + 2 = 3
