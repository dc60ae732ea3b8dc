spec UnknownType
enum Color = {red, green}
var c: Colour = red
