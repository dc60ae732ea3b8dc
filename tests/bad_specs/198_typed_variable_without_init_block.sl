spec NoInitBlock
var x: 0..3
var y: 0..3 = 0
