# Raft ElectionSafety (at most one leader per term) of specs/raft.sl itself, for every
# number of servers, in its block `twoValues` (terms 0..1, logs of two entries, two
# client values, no crash; its lossy duplicating network):
#     stateline prove specs/raft.sl --induction --proof proofs/raft_any_size.sl \
#         --check twoValues --invariant ElectionSafety
# About 2-3 minutes of CPU (bench/README.md).  The first three lemmas are the election
# argument (proofs/raft_election_any_size.sl's, for a network that is not a history:
# lost and received votes leave it): a granted vote in flight, and a vote counted, are
# recorded in the voter's votedFor of that term; a leader counted a majority.  The
# other eight rule out run-time errors, which the logs bring: a leader's nextIndex
# stays within its log (`termAt(log, prev)` is in range), an AppendEntries is cut from
# its leader's log (so it fits MaxLog), and the term facts these need.  With one term a
# leader owns every AppendEntries of its term, so they need no history of which server
# led it; more terms (the other blocks) need one, see docs/proofs.md.  Dropping a
# lemma gives a named counterexample to induction (tests/test_prove_any_size_raft.py,
# ANY_SIZE_RAFT_SPEC=1; shown for nine of the eleven, docs/proofs.md).  Six
# lemmas of an earlier version are not here, as Z3 proves the target without each of
# them: a candidate or leader voted for itself, one granted vote per voter and term, a
# voter counted by one server only, a granted vote in flight not counted by another
# server, an AppendEntries fits MaxLog, and a follower's nextIndex is 1.

proof Raft
prove ElectionSafety
any size Servers

lemma VoteRecorded:
    forall m in sent(Vote): m.granted implies
        (Server[m.src].currentTerm > m.term or
         (Server[m.src].currentTerm == m.term and Server[m.src].votedFor == m.dst))

lemma VotesCounted:
    forall s in Servers: forall a in Server[s].votesGranted:
        Server[a].currentTerm > Server[s].currentTerm or
        (Server[a].currentTerm == Server[s].currentTerm and Server[a].votedFor == s)

lemma LeaderHasQuorum:
    forall s in Servers: Server[s].role == leader implies
        len(Server[s].votesGranted) >= len(Servers) // 2 + 1

lemma NextIndexInLog:
    forall s, j in Servers: Server[s].nextIndex[j] <= len(Server[s].log) + 1

lemma AppendTermBound:
    forall m in sent(AppendEntries): m.term <= Server[m.src].currentTerm

lemma AppendFromLeader:
    forall m in sent(AppendEntries): m.term == Server[m.src].currentTerm implies
        (Server[m.src].role == leader and m.src != m.dst and
         m.prevIndex + len(m.entries) <= len(Server[m.src].log))

lemma AppendTermPositive:
    forall m in sent(AppendEntries): m.term >= 1

lemma CandidateTermPositive:
    forall s in Servers: Server[s].role != follower implies Server[s].currentTerm >= 1

lemma ReplyWithinLog:
    forall m in sent(AppendReply): (m.success and m.term == Server[m.dst].currentTerm) implies
        (Server[m.dst].role == leader and m.match <= len(Server[m.dst].log))

lemma ReplyTermBound:
    forall m in sent(AppendReply): m.success implies m.term <= Server[m.dst].currentTerm

lemma NoCrash:
    forall s in Servers: Server[s].up
