spec Overrides
const N = 3
var x: 0..N = 0
