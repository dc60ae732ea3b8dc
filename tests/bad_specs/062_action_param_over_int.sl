spec ParamInt
var x: 0..3 = 0
action set_to(v in int):
    x := v
