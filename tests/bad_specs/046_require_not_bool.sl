spec RequireNotBool
var x: 0..3 = 0
action step:
    require x
    x := 1
