spec AssertFails
const Nodes = {n1, n2}
var votes: set[Nodes] = {}

action vote(n in Nodes) if n not in votes:
    votes := votes | {n}
    assert len(votes) < 2, "at most one vote"
