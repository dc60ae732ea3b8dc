# Raft ElectionSafety (at most one leader per term) for every number of servers,
# with majority quorums and the terms of the check block:
#     stateline prove specs/raft_election.sl --induction --proof proofs/raft_election_any_size.sl
# specs/raft_election.sl is the election part of specs/raft.sl (no logs: see its
# header and docs/proofs.md).  Granted votes stay in the set network, so they are
# the history of the elections.

proof RaftElection
prove ElectionSafety
any size Servers

# A candidate or leader has voted for itself in its term.
lemma SelfVote:
    forall s in Servers: Server[s].role != follower implies Server[s].votedFor == s

# A granted vote is in the voter's current term and recorded in votedFor, or the
# voter has moved on to a later term.
lemma VoteRecorded:
    forall m in sent(Vote): m.granted implies
        (Server[m.src].currentTerm > m.term or
         (Server[m.src].currentTerm == m.term and Server[m.src].votedFor == m.dst))

# A server grants at most one vote per term.
lemma OneVotePerTerm:
    forall m, n in sent(Vote):
        m.granted and n.granted and m.src == n.src and m.term == n.term implies m.dst == n.dst

# The votes a server counts are its own and votes granted to it in its current term.
lemma VotesCounted:
    forall s in Servers: forall a in Server[s].votesGranted:
        a == s or Vote(a, s, Server[s].currentTerm, true) in sent(Vote)

# A leader counted the votes of a majority quorum.
lemma LeaderHasQuorum:
    forall s in Servers: Server[s].role == leader implies
        exists q in Quorums: q <= Server[s].votesGranted
