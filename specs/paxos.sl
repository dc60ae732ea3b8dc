spec Paxos
# Single-decree Paxos (Lamport, "Paxos Made Simple"), with the variables and
# actions of Lamport's Paxos.tla: acceptors keep the highest ballot they have
# promised (maxBal) and their last vote (maxVBal, maxVal); every message ever
# sent stays in the network, so loss, delay, reordering and duplication are all
# behaviours of the model.  One leader per ballot.

const Acceptors = {a1, a2, a3}
const Values = {v1, v2}
const MaxBallot = 2
const Ballots = 0..MaxBallot

network set

message Prepare(bal: Ballots)                                              # phase 1a
message Promise(acc: Acceptors, bal: Ballots, mbal: -1..MaxBallot, mval: Values?)  # 1b
message Accept(bal: Ballots, val: Values)                                  # phase 2a
message Accepted(acc: Acceptors, bal: Ballots, val: Values)                # phase 2b

# Minimal majorities: any two of them intersect.
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

    # Phase 2a is split in two, as the two disjuncts of Paxos.tla's Phase2a:
    # no acceptor of the quorum has voted, so any value may be proposed ...
    action proposeAny(v in Values, q in Quorums):
        require not exists m in sent(Accept): m.bal == self
        require forall a in q: exists m in sent(Promise): m.acc == a and m.bal == self
        require not exists m in sent(Promise): m.acc in q and m.bal == self and m.mbal >= 0
        send Accept(self, v)

    # ... or the value of a highest-numbered vote reported by the quorum.
    action proposeVoted(q in Quorums, p in sent(Promise)):
        require not exists m in sent(Accept): m.bal == self
        require forall a in q: exists m in sent(Promise): m.acc == a and m.bal == self
        require p.acc in q and p.bal == self and p.mbal >= 0
        require forall m in sent(Promise): m.acc in q and m.bal == self implies m.mbal <= p.mbal
        send Accept(self, p.mval)

def chosen(v) =
    exists b in Ballots, q in Quorums: forall a in q: Accepted(a, b, v) in sent(Accepted)

# At most one value is ever chosen.
invariant Agreement: forall v, w in Values: chosen(v) and chosen(w) implies v == w

# An acceptor only votes for a value some leader proposed in that ballot.
invariant VotesWereProposed:
    forall m in sent(Accepted): Accept(m.bal, m.val) in sent(Accept)

# Liveness: some value is eventually chosen.  Nothing forces any step unless
# fairness says so, and a leader can always be preempted by a higher ballot,
# so this needs fair delivery and a single leader (FLP: no deterministic
# asynchronous consensus protocol can guarantee progress with dueling leaders).
property SomeValueChosen: eventually exists v in Values: chosen(v)

check ballots01(MaxBallot = 1):
    expect Agreement holds
    expect VotesWereProposed holds
    expect SomeValueChosen violated         # no fairness: nothing has to happen

check ballots012(MaxBallot = 2):
    expect Agreement holds
    expect SomeValueChosen violated

# Leaders keep trying, but acceptors may ignore their messages forever.
check unfairDelivery(MaxBallot = 1):
    fair weak Leader
    expect SomeValueChosen violated

# One leader, fair leader and fair delivery: a value is chosen.
check fairSingleLeader(MaxBallot = 0):
    fair weak Leader, Acceptor
    expect SomeValueChosen holds
