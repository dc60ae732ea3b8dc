spec StabilityStateDomain
var x: 0..3 = 0

action inc:
    require x < 3
    x := x + 1

property Up: forall k in 0..x: always (x >= k implies always x >= k)
