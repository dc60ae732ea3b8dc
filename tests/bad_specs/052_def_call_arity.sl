spec DefArity
def double(n) = n + n
var x: 0..6 = 0
invariant Bad: x <= double(1, 2)
