spec GuardNotBool
var x: 0..3 = 0
action step if x + 1:
    x := 1
