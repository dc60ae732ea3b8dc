spec EnabledWrongProcessAction
const Nodes = {n1, n2}
var total: 0..4 = 0

process Node(self in Nodes):
    var c: 0..2 = 0
    action step:
        require c < 2
        c := c + 1

action tally:
    total := Node[n1].c + Node[n2].c

invariant I: enabled(Node.tally) or total == 4
