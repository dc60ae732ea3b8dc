spec BadChar
const N = 3
var x: 0..N = 0
action step:
    x := (x + 1) $ N
