spec EnabledOfExpression
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

invariant I: enabled(x < 3) or x == 3
