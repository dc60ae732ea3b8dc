spec AssignConst
const N = 3
var x: 0..3 = 0
action step:
    N := 4
