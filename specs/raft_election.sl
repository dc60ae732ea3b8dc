spec RaftElection
# Raft leader election alone: the terms, votes, roles and crashes of
# specs/raft.sl without the logs, so that ElectionSafety can be proved for
# every number of servers (proofs/raft_election_any_size.sl; docs/proofs.md).
#
# Every election step of specs/raft.sl is here with the same guards and the
# same effect on currentTerm, votedFor, role and votesGranted:
# - timeout, requestVote, the RequestVote and Vote handlers, step_down, and a
#   leader's AppendEntries (a heartbeat here: the entry it carries only
#   concerns the log) with the term rules of its handler, the refusal that
#   carries a higher term back, and the AppendReply handler's step down;
# - `crash recover`: currentTerm and votedFor are persistent, role and
#   votesGranted are reset on recovery.
# What is left out only adds behaviours:
# - no logs: a vote is granted without the up-to-date test on the
#   candidate's log (raft.sl grants fewer votes);
# - a set network (every message stays and can be received again, by its
#   destination) instead of raft.sl's lossy duplicating bag, and no bound on
#   the messages in flight.
# - `len(votesGranted) >= Majority` is written as "votesGranted holds a
#   majority quorum", the same test, in the form the any-size prover reads.

const Servers = {s1, s2, s3} symmetric
const MaxTerm = 2     # terms 0..MaxTerm; every election increments the term
const MaxCrashes = 1  # crashes of all servers together
const Terms = 0..MaxTerm

enum Role = {follower, candidate, leader}

network set

message RequestVote(src: Servers, dst: Servers, term: Terms)
message Vote(src: Servers, dst: Servers, term: Terms, granted: bool)
message AppendEntries(src: Servers, dst: Servers, term: Terms)
message AppendReply(src: Servers, dst: Servers, term: Terms)

# The majorities of Servers: len(q) >= len(Servers) // 2 + 1.
def Quorums = {q for q in subsets(Servers) if len(q) >= len(Servers) // 2 + 1}

process Server(self in Servers):
    crash recover max MaxCrashes
    persistent var currentTerm: Terms = 0
    persistent var votedFor: Servers? = none
    var role: Role = follower
    var votesGranted: set[Servers] = {}

    # A server that learns of a higher term t adopts it and becomes a follower.
    proc step_down(t: Terms):
        currentTerm := t
        role := follower
        votedFor := none
        votesGranted := {}

    # A follower or candidate times out and starts an election.
    action timeout if role != leader and currentTerm < MaxTerm:
        currentTerm := currentTerm + 1
        role := candidate
        votedFor := self
        votesGranted := {self}

    # A candidate asks j for its vote.
    action requestVote(j in Servers) if role == candidate and j not in votesGranted:
        let msg = RequestVote(self, j, currentTerm)
        require msg not in sent(RequestVote)
        send msg

    # A leader sends j an AppendEntries (its term is what matters to elections).
    action appendEntries(j in Servers) if role == leader and j != self:
        let msg = AppendEntries(self, j, currentTerm)
        require msg not in sent(AppendEntries)
        send msg

    on RequestVote(m) if m.dst == self:
        if m.term > currentTerm:
            step_down(m.term)
        let grant = m.term == currentTerm and (votedFor == none or votedFor == m.src)
        if grant:
            votedFor := m.src
        if ((grant or currentTerm > m.term)
                and Vote(self, m.src, currentTerm, grant) not in sent(Vote)):
            send Vote(self, m.src, currentTerm, grant)

    on Vote(m) if m.dst == self:
        if m.term > currentTerm:
            step_down(m.term)
        elif m.term == currentTerm and role == candidate and m.granted:
            votesGranted := votesGranted | {m.src}
            if (exists q in Quorums: q <= votesGranted):
                role := leader

    on AppendEntries(m) if m.dst == self:
        if m.term > currentTerm:
            currentTerm := m.term
            votedFor := none
        if m.term < currentTerm:
            if AppendReply(self, m.src, currentTerm) not in sent(AppendReply):
                send AppendReply(self, m.src, currentTerm)
        else:
            # A candidate (or a stale leader of a lower term) steps down.
            role := follower
            votesGranted := {}

    on AppendReply(m) if m.dst == self:
        if m.term > currentTerm:
            step_down(m.term)

# At most one leader per term (the invariant of specs/raft.sl).
invariant ElectionSafety:
    (forall a, b in Servers:
        (Server[a].role == leader
            and Server[b].role == leader
            and Server[a].currentTerm == Server[b].currentTerm)
            implies a == b)

allow deadlock

# A small instance for `stateline check` (646 states).  The proof
# (proofs/raft_election_any_size.sl) covers every number of servers; its lemmas do not read
# the crash counter, so it goes through for every MaxCrashes (-D MaxCrashes=N).
# tests/test_prove_any_size.py also checks five servers (MaxTerm = 1, no crash).
check three(MaxTerm = 1):
    expect ElectionSafety holds
