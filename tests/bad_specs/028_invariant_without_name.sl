spec NoName
var x: 0..3 = 0
invariant: x <= 3
