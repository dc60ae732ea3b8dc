spec EnumAsSet
enum Node = {n1, n2}
# An enum used as a value is the set of its members, not one member.
var leader: Node = Node
