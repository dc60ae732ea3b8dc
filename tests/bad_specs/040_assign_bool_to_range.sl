spec AssignBool
var x: 0..3 = 0
action step:
    x := true
