spec SymmetricSubset
const Nodes = {n1, n2, n3}
const Voters: set[Nodes] = {n1, n2} symmetric
var x: Nodes = n3
allow deadlock
