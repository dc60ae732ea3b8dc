spec EnabledUnknownAction
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

invariant I: enabled(incr) or x == 3
