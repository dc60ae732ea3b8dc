spec BadBytes
# café au lait
var x: 0..3 = 0
