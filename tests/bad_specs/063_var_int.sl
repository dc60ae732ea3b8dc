spec VarInt
var x: int = 0
