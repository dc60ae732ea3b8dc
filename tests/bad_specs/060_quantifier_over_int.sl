spec QuantInt
var x: 0..3 = 0
invariant Bad: forall n in int: x != n + 4
