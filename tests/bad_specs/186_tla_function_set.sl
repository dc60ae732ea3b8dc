spec E
var x: [0..1 -> bool] = {}
allow deadlock
