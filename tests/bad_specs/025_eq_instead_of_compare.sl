spec EqCompare
var x: 0..3 = 0
action step:
    require x = 1
    x := 0
