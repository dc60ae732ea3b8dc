spec EqAssign
var x: 0..3 = 0
action step:
    require x < 3
    x = x + 1
