spec InitReadsEarly
var x: 0..3
var y: 0..3

init:
    y := x + 1
    x := 0
