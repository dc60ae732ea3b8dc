spec ElseNoIf
var x: 0..3 = 0
action step:
    else:
        x := 1
