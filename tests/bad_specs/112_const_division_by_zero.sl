spec ConstDivZero
const N = 4 // 0
var x: 0..3 = 0
