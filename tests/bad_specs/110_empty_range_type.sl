spec EmptyRange
var x: 3..1 = 3
