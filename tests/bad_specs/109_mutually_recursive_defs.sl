spec MutualRecursion
def a = b + 1
def b = a + 1
var x: 0..3 = 0
invariant Bad: a == x
