spec EofInBlock
var x: 0..3 = 0
action step:
