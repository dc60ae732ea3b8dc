spec LateInit
# an initial value reads a variable declared after it
var y: 0..3 in 0..x
var x: 0..3 in 0..3
