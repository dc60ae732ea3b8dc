spec EmptyHex
var x: 0..0x_ = 0
