# Paxos Agreement for every number of acceptors and values (majority quorums), with
# ballots as in the check block:
#     stateline prove specs/paxos.sl --induction --proof proofs/paxos_any_size.sl
# The lemmas are those of proofs/paxos.sl, with safety of proposals stated the way
# that keeps Z3 close to EPR (Ivy and mypyvy state it so): for a proposal at ballot
# b, every value w it does not propose is not choosable at any c < b: every quorum
# has a member that has moved past c without voting w there.

proof Paxos
prove Agreement
any size Acceptors, Values

lemma VotesProposed: forall m in sent(Accepted): Accept(m.bal, m.val) in sent(Accept)

lemma OneValuePerBallot:
    forall m, n in sent(Accept): m.bal == n.bal implies m.val == n.val

lemma ProposalsSafe:
    forall m in sent(Accept): forall c in Ballots: forall w in Values:
        c < m.bal and w != m.val implies
            forall q in Quorums: exists a in q:
                Acceptor[a].maxBal > c and not Accepted(a, c, w) in sent(Accepted)

lemma PromiseKept: forall p in sent(Promise): Acceptor[p.acc].maxBal >= p.bal

lemma PromiseReportsLastVote:
    forall p in sent(Promise):
        p.mbal < p.bal and
        (p.mbal == -1 or (p.mval != none and Accepted(p.acc, p.mbal, p.mval) in sent(Accepted))) and
        (forall c in Ballots: p.mbal < c and c < p.bal implies
            not exists v in Values: Accepted(p.acc, c, v) in sent(Accepted))

lemma VotesBelowMaxBal:
    forall m in sent(Accepted):
        Acceptor[m.acc].maxBal >= m.bal and Acceptor[m.acc].maxVBal >= m.bal

lemma LastVoteRecorded:
    forall a in Acceptors:
        Acceptor[a].maxVBal <= Acceptor[a].maxBal and
        (Acceptor[a].maxVBal == -1 or
            (Acceptor[a].maxVal != none and
             Accepted(a, Acceptor[a].maxVBal, Acceptor[a].maxVal) in sent(Accepted)))
