spec EnabledUnsupported
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

invariant I: enabled(inc) or x == 3
