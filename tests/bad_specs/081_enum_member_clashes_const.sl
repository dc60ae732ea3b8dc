spec EnumClash
const red = 1
enum Color = {red, green}
