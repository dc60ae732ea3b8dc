spec RaftDoubleVote
# Lab: a Raft server that grants its vote to every up-to-date candidate of
# its current term, without looking at votedFor.  Two candidates of the same
# term can then both collect a majority (their majorities share the server
# that voted twice): two leaders in one term, ElectionSafety is violated.
#
# Everything else is specs/raft.sl, with only the invariant this lab breaks
# (so the search stops at its shortest counterexample).  Bounds: one term
# (two candidates in term 1 are all it takes), one log entry, no crash, one
# message in flight.

const Servers = {s1, s2, s3}
const Values = {v1}
const MaxTerm = 1            # terms 0..MaxTerm: one election term is enough
const MaxLog = 1
const MaxCrashes = 0         # no crash needed
const MaxMsgs = 1            # one distinct message in flight at a time

const Terms = 0..MaxTerm
const Indexes = 0..MaxLog

enum Role = {follower, candidate, leader}
record Entry(term: Terms, value: Values)

network bag lossy duplicating

message RequestVote(src: Servers, dst: Servers, term: Terms, lastTerm: Terms, lastIndex: Indexes)
message Vote(src: Servers, dst: Servers, term: Terms, granted: bool)
message AppendEntries(src: Servers, dst: Servers, term: Terms, prevIndex: Indexes,
                      prevTerm: Terms, entries: seq[Entry, 1])
message AppendReply(src: Servers, dst: Servers, term: Terms, success: bool, match: Indexes)

def Majority = len(Servers) // 2 + 1
def lastTerm(log) = 0 if len(log) == 0 else last(log).term
# The candidate's log (last term lt, length li) is at least as up to date as log.
def upToDate(lt, li, log) = lt > lastTerm(log) or (lt == lastTerm(log) and li >= len(log))
def termAt(log, i) = 0 if i == 0 else log[i - 1].term

process Server(self in Servers):
    crash recover max MaxCrashes
    persistent var currentTerm: Terms = 0
    persistent var votedFor: Servers? = none
    persistent var log: seq[Entry, MaxLog] = []
    var role: Role = follower
    var votesGranted: set[Servers] = {}
    var nextIndex: map[Servers, 1..MaxLog + 1] = {s: 1 for s in Servers}
    var matchIndex: map[Servers, Indexes] = {s: 0 for s in Servers}
    var commitIndex: Indexes = 0

    # A follower or candidate times out and starts an election.
    action timeout if role != leader and currentTerm < MaxTerm:
        currentTerm := currentTerm + 1
        role := candidate
        votedFor := self
        votesGranted := {self}

    # A candidate asks j for its vote.
    action requestVote(j in Servers) if role == candidate and j not in votesGranted:
        let msg = RequestVote(self, j, currentTerm, lastTerm(log), len(log))
        require msg not in sent(RequestVote)
        send msg

    # A leader accepts a client value.
    action clientRequest(v in Values) if role == leader and len(log) < MaxLog:
        log := log + [Entry(currentTerm, v)]

    # A leader sends j the entry at nextIndex[j] (or a heartbeat).
    action appendEntries(j in Servers) if role == leader and j != self:
        let prev = nextIndex[j] - 1
        let msg = AppendEntries(self, j, currentTerm, prev, termAt(log, prev), log[prev:prev + 1])
        require msg not in sent(AppendEntries)
        send msg

    on RequestVote(m) if m.dst == self:
        if m.term > currentTerm:
            currentTerm := m.term
            role := follower
            votedFor := none
            votesGranted := {}
            nextIndex := {s: 1 for s in Servers}
            matchIndex := {s: 0 for s in Servers}
            commitIndex := 0
        # The bug: votedFor is not consulted, so a server can vote for two
        # candidates of the same term.
        let grant = m.term == currentTerm and upToDate(m.lastTerm, m.lastIndex, log)
        if grant:
            votedFor := m.src
        # A refusal is only worth sending when it carries a higher term: a
        # refusal in the candidate's own term changes nothing when received.
        if (grant or currentTerm > m.term) and Vote(self, m.src, currentTerm, grant) not in sent(Vote):
            send Vote(self, m.src, currentTerm, grant)

    on Vote(m) if m.dst == self:
        if m.term > currentTerm:
            currentTerm := m.term
            role := follower
            votedFor := none
            votesGranted := {}
            nextIndex := {s: 1 for s in Servers}
            matchIndex := {s: 0 for s in Servers}
            commitIndex := 0
        elif m.term == currentTerm and role == candidate and m.granted:
            votesGranted := votesGranted | {m.src}
            if len(votesGranted) >= Majority:
                role := leader
                nextIndex := {s: len(log) + 1 for s in Servers}
                matchIndex := {s: 0 for s in Servers}
                commitIndex := 0

    on AppendEntries(m) if m.dst == self:
        if m.term > currentTerm:
            currentTerm := m.term
            votedFor := none
        if m.term < currentTerm:
            if AppendReply(self, m.src, currentTerm, false, 0) not in sent(AppendReply):
                send AppendReply(self, m.src, currentTerm, false, 0)
        else:
            # A candidate (or a stale leader of a lower term) steps down.
            role := follower
            votesGranted := {}
            nextIndex := {s: 1 for s in Servers}
            matchIndex := {s: 0 for s in Servers}
            commitIndex := 0
            let logOk = m.prevIndex <= len(log) and termAt(log, m.prevIndex) == m.prevTerm
            if not logOk:
                if AppendReply(self, m.src, currentTerm, false, 0) not in sent(AppendReply):
                    send AppendReply(self, m.src, currentTerm, false, 0)
            else:
                let n = m.prevIndex + len(m.entries)
                if len(m.entries) > 0 and (len(log) == m.prevIndex or
                                           log[m.prevIndex].term != m.entries[0].term):
                    # No entry there, or a conflicting one: delete it and all
                    # that follow it, then append the new entry.
                    log := log[:m.prevIndex] + m.entries
                if AppendReply(self, m.src, currentTerm, true, n) not in sent(AppendReply):
                    send AppendReply(self, m.src, currentTerm, true, n)

    on AppendReply(m) if m.dst == self:
        if m.term > currentTerm:
            currentTerm := m.term
            role := follower
            votedFor := none
            votesGranted := {}
            nextIndex := {s: 1 for s in Servers}
            matchIndex := {s: 0 for s in Servers}
            commitIndex := 0
        elif m.term == currentTerm and role == leader:
            if m.success:
                matchIndex[m.src] := max(matchIndex[m.src], m.match)
                nextIndex[m.src] := max(nextIndex[m.src], m.match + 1)
                # Commit the highest index stored on a majority whose entry
                # is of the current term (and everything before it).
                let ok = {i for i in 1..len(log)
                          if log[i - 1].term == currentTerm and
                             len({s for s in Servers if s == self or matchIndex[s] >= i}) >= Majority}
                if len(ok) > 0 and max(ok) > commitIndex:
                    for i in commitIndex + 1..max(ok):
                        committed := committed | {(i, log[i - 1], currentTerm)}
                    commitIndex := max(ok)
            else:
                nextIndex[m.src] := max(nextIndex[m.src] - 1, 1)

# History (ghost) variable: every (index, entry, term) such that the leader
# of that term committed that entry at that index, and so applied it to its
# state machine.  It only grows: a crash or a later overwrite of the log
# does not undo an application.
var committed: set[(1..MaxLog, Entry, Terms)] = {}

# At most one leader per term.
invariant ElectionSafety:
    (forall a, b in Servers:
        (Server[a].role == leader and Server[b].role == leader and
         Server[a].currentTerm == Server[b].currentTerm) implies a == b)

# Bound the messages in flight (distinct messages; see the note on duplicates).
constraint FewMessages:
    (len(sent(RequestVote)) + len(sent(Vote)) + len(sent(AppendEntries)) +
        len(sent(AppendReply)) <= MaxMsgs)

allow deadlock

check small:
    expect ElectionSafety violated
