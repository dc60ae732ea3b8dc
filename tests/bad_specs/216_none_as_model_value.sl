spec NoneVal
const Node = {a, none}
var x: 0..1 = 0
allow deadlock
