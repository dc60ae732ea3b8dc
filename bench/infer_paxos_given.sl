# The one lemma given to `stateline prove specs/paxos.sl --infer` (bench/infer_bench.py):
# SafeProposals of proofs/paxos.sl, the hardest of its lemmas.  Inference must find the
# others.

proof Paxos
prove Agreement

lemma SafeProposals:
    forall m in sent(Accept): forall c in Ballots: c < m.bal implies
        exists q in Quorums: forall a in q:
            Accepted(a, c, m.val) in sent(Accepted) or
            (Acceptor[a].maxBal > c and not exists w in Values: Accepted(a, c, w) in sent(Accepted))
