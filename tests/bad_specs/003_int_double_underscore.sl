spec DoubleUnderscore
const N = 1__0
var x: 0..N = 0
