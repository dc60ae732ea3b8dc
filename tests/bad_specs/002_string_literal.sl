spec StringLit
const Leader = "alice"
var x: 0..3 = 0
