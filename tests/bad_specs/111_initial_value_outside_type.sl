spec InitOutside
var x: 0..3 = 5
