spec AssignLet
var x: 0..3 = 0
action step:
    let y = x + 1
    y := 2
