spec EmptyDependent
# every initial choice of y is empty: no initial state
var x: 0..3 in 0..3
var y: 0..3 in x + 1..x
