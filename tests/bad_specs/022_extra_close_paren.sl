spec ExtraParen
var x: 0..3 = 0
action step:
    x := (x + 1))
