spec UnknownName
var x: 0..3 = 0
action step:
    require x < Max
    x := x + 1
