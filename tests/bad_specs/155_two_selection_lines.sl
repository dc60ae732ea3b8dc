spec Votes
const Nodes = {n1, n2, n3}
const Limit = 3
var voters: set[Nodes] = {}

action vote(n in Nodes) if n not in voters:
    voters := voters | {n}

invariant AtMostAll: len(voters) <= Limit
invariant Few: len(voters) <= 1
constraint Small: len(voters) <= 2
allow deadlock

check c:
    only AtMostAll
    skip Few
