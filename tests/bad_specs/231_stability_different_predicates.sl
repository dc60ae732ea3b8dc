spec StabilityDifferentPredicates
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

property Up: always (x >= 1 implies always x >= 2)
