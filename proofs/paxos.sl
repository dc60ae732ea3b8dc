# Single-decree Paxos: Agreement is inductive together with these lemmas.
#     stateline prove specs/paxos.sl --induction --proof proofs/paxos.sl

proof Paxos
prove Agreement

# An accepted value at ballot b was proposed at b.
lemma VotesProposed: forall m in sent(Accepted): Accept(m.bal, m.val) in sent(Accept)

# At most one value is proposed per ballot.
lemma OneValuePerBallot:
    forall m, n in sent(Accept): m.bal == n.bal implies m.val == n.val

# A proposal at b is safe at b: for every earlier ballot c, some quorum has each of
# its acceptors either voted for the value at c, or never voting at c.
lemma SafeProposals:
    forall m in sent(Accept): forall c in Ballots: c < m.bal implies
        exists q in Quorums: forall a in q:
            Accepted(a, c, m.val) in sent(Accepted) or
            (Acceptor[a].maxBal > c and not exists w in Values: Accepted(a, c, w) in sent(Accepted))

# Promises are kept: after promising b, an acceptor never votes below b ...
lemma PromiseKept: forall p in sent(Promise): Acceptor[p.acc].maxBal >= p.bal

# ... and a promise reports the acceptor's last vote before b.
lemma PromiseReportsLastVote:
    forall p in sent(Promise):
        p.mbal < p.bal and
        (p.mbal == -1 or (p.mval != none and Accepted(p.acc, p.mbal, p.mval) in sent(Accepted))) and
        (forall c in Ballots: p.mbal < c and c < p.bal implies
            not exists v in Values: Accepted(p.acc, c, v) in sent(Accepted))

# An acceptor votes at b only once its maxBal reached b, and maxVBal is its latest vote.
lemma VotesBelowMaxBal:
    forall m in sent(Accepted):
        Acceptor[m.acc].maxBal >= m.bal and Acceptor[m.acc].maxVBal >= m.bal

lemma LastVoteRecorded:
    forall a in Acceptors:
        Acceptor[a].maxVBal <= Acceptor[a].maxBal and
        (Acceptor[a].maxVBal == -1 or
            (Acceptor[a].maxVal != none and
             Accepted(a, Acceptor[a].maxVBal, Acceptor[a].maxVal) in sent(Accepted)))
