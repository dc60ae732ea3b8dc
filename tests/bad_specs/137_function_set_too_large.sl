spec TooManyMaps
const Node = 0..9
var c in [Node -> 0..7]
