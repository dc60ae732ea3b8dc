spec PaxosSymmetric
# Paxos (as specs/paxos.sl, ballots 0..1) with symmetric acceptors and values.
const Acceptors = {a1, a2, a3} symmetric
const Values = {v1, v2} symmetric
const MaxBallot = 1
const Ballots = 0..MaxBallot
network set
message Prepare(bal: Ballots)
message Promise(acc: Acceptors, bal: Ballots, mbal: -1..MaxBallot, mval: Values?)
message Accept(bal: Ballots, val: Values)
message Accepted(acc: Acceptors, bal: Ballots, val: Values)
def Quorums = {q for q in subsets(Acceptors) if len(q) == len(Acceptors) // 2 + 1}
process Acceptor(self in Acceptors):
    var maxBal: -1..MaxBallot = -1
    var maxVBal: -1..MaxBallot = -1
    var maxVal: Values? = none
    on Prepare(m) if m.bal > maxBal:
        maxBal := m.bal
        send Promise(self, m.bal, maxVBal, maxVal)
    on Accept(m) if m.bal >= maxBal:
        maxBal := m.bal
        maxVBal := m.bal
        maxVal := m.val
        send Accepted(self, m.bal, m.val)
process Leader(self in Ballots):
    action prepare:
        send Prepare(self)
    action proposeAny(v in Values, q in Quorums):
        require not exists m in sent(Accept): m.bal == self
        require forall a in q: exists m in sent(Promise): m.acc == a and m.bal == self
        require not exists m in sent(Promise): m.acc in q and m.bal == self and m.mbal >= 0
        send Accept(self, v)
    action proposeVoted(q in Quorums, p in sent(Promise)):
        require not exists m in sent(Accept): m.bal == self
        require forall a in q: exists m in sent(Promise): m.acc == a and m.bal == self
        require p.acc in q and p.bal == self and p.mbal >= 0
        require forall m in sent(Promise): m.acc in q and m.bal == self implies m.mbal <= p.mbal
        send Accept(self, p.mval)
def chosen(v) =
    exists b in Ballots, q in Quorums: forall a in q: Accepted(a, b, v) in sent(Accepted)
invariant Agreement: forall v, w in Values: chosen(v) and chosen(w) implies v == w
