spec InitMisses
var x: 0..3
var y: 0..3 = 0

init:
    either:
        x := 1
    or:
        y := 2
