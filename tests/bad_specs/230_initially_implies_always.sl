spec InitiallyImpliesAlways
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

property Up: initially x == 0 implies always x <= 3
