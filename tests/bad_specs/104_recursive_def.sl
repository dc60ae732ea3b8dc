spec Recursive
var x: 0..3 = 0
def depth(n) = 0 if n == 0 else depth(n - 1) + 1
invariant Bad: depth(x) <= 3
