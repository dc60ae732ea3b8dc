spec EnabledInInitialValue
var x: 0..3 = 0
var ready: bool = enabled(inc)

action inc:
    require x < 3
    x := x + 1
