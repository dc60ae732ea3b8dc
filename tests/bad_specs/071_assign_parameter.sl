spec AssignParam
var x: 0..3 = 0
action set_to(v in 0..3):
    v := x
