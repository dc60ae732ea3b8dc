spec EnabledInGuard
var x: 0..3 = 0
var y: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

action follow:
    require not enabled(inc)
    y := x
