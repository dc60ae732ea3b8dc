spec Raft
# Raft leader election and log replication (Ongaro and Ousterhout, "In Search
# of an Understandable Consensus Algorithm", figure 2), after Ongaro's
# raft.tla.  Servers keep currentTerm, votedFor and their log on stable
# storage: they survive a crash.  Everything else (role, votes received,
# nextIndex, matchIndex, commitIndex) is volatile and is reset on recovery.
# Messages travel in a bag that may lose, duplicate and reorder them.
#
# Checked against the four safety properties of the paper's figure 3
# (ElectionSafety, LogMatching, LeaderCompleteness, StateMachineSafety).
#
# Modelling choices (each one shrinks the state space without removing a
# behaviour that matters for these properties):
# - A candidate becomes leader in the step that receives its majority vote,
#   and a leader advances its commitIndex in the step that receives a
#   successful AppendReply: those are the only steps that enable them.
# - A message identical to one already in flight is not sent again: on a
#   duplicating network one copy in flight can already be received any
#   number of times, so a second copy adds no behaviour.  A vote refusal is
#   sent only when it carries a higher term (otherwise it changes nothing).
# - nextIndex, matchIndex, votesGranted and commitIndex are only read by a
#   leader (a candidate): they are reset when a server steps down, so that
#   followers do not carry stale copies that would multiply the states.
# - AppendEntries carries at most one entry and no leaderCommit: followers
#   do not learn the commit index.  What a leader commits is recorded in the
#   history variable `committed`, and the properties are judged on it; a
#   follower applying the leader's commit would apply the same entries as
#   long as LogMatching holds, which is checked separately.
# - Each check bounds the terms, the log length, the crashes and the number
#   of distinct messages in flight (MaxMsgs, a constraint).  MaxMsgs = 1
#   still lets every message be lost, duplicated, or delayed past timeouts,
#   client requests and crashes; what it excludes is two messages in flight
#   at once, which the `reordering` check allows.
# - Servers are not declared `symmetric`: the reduction would be sound, but
#   on this model canonicalising every successor under the 5 other
#   permutations costs about as much time as the states it saves
#   (bench/README.md).

const Servers = {s1, s2, s3}
const Values = {v1}          # client values
const MaxTerm = 2            # terms 0..MaxTerm; every election increments the term
const MaxLog = 2             # at most MaxLog entries in a log
const MaxCrashes = 0         # crashes of all servers together
const MaxMsgs = 1            # distinct messages in flight (a constraint, below)

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

    # A server that learns of a higher term t adopts it and becomes a follower
    # (inlined where it is called, as part of that step).
    proc step_down(t: Terms):
        currentTerm := t
        role := follower
        votedFor := none
        votesGranted := {}
        nextIndex := {s: 1 for s in Servers}
        matchIndex := {s: 0 for s in Servers}
        commitIndex := 0

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
            step_down(m.term)
        let grant = (m.term == currentTerm and upToDate(m.lastTerm, m.lastIndex, log)
                     and (votedFor == none or votedFor == m.src))
        if grant:
            votedFor := m.src
        # A refusal is only worth sending when it carries a higher term: a
        # refusal in the candidate's own term changes nothing when received.
        if (grant or currentTerm > m.term) and Vote(self, m.src, currentTerm, grant) not in sent(Vote):
            send Vote(self, m.src, currentTerm, grant)

    on Vote(m) if m.dst == self:
        if m.term > currentTerm:
            step_down(m.term)
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
            step_down(m.term)
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

# Two logs with an entry of the same index and term agree up to that index.
invariant LogMatching:
    (forall a, b in Servers: forall i in 1..min(len(Server[a].log), len(Server[b].log)):
        Server[a].log[i - 1].term == Server[b].log[i - 1].term implies
            Server[a].log[:i] == Server[b].log[:i])

# An entry committed in a term is in the log of every leader of a later term.
invariant LeaderCompleteness:
    (forall c in committed: forall l in Servers:
        (Server[l].role == leader and Server[l].currentTerm > c[2]) implies
            (len(Server[l].log) >= c[0] and Server[l].log[c[0] - 1] == c[1]))

# No two servers apply different entries at the same index (judged on what
# leaders commit: followers do not learn the commit index in this model).
invariant StateMachineSafety:
    forall c, d in committed: c[0] == d[0] implies c[1] == d[1]

# Bound the messages in flight (distinct messages; see the note on duplicates).
constraint FewMessages:
    (len(sent(RequestVote)) + len(sent(Vote)) + len(sent(AppendEntries)) +
        len(sent(AppendReply)) <= MaxMsgs)

allow deadlock

# The instances.  Every one has three servers (so a majority is two and any
# two majorities share a server) and messages that can be lost, duplicated
# and delayed.  Together they take about a minute of CPU (bench/README.md).

# Two elections, logs of two entries: a leader of term 1 and one of term 2
# can each append, replicate, overwrite a follower's conflicting suffix and
# commit, one message in flight at a time.
check replication:
    expect ElectionSafety holds
    expect LogMatching holds
    expect LeaderCompleteness holds
    expect StateMachineSafety holds

# A crash at any point, of any server (leader, candidate, voter), with
# recovery from the persistent currentTerm, votedFor and log, in two
# elections with logs of two entries: the largest instance (about 500,000
# states).
check crashes(MaxCrashes = 1):
    expect ElectionSafety holds
    expect LogMatching holds
    expect LeaderCompleteness holds
    expect StateMachineSafety holds

# Two client values, appended and replicated in order by the leader of term 1.
check twoValues(Values = {v1, v2}, MaxTerm = 1):
    expect ElectionSafety holds
    expect LogMatching holds
    expect LeaderCompleteness holds
    expect StateMachineSafety holds

# Two messages in flight, so they can also be reordered: one term, one entry.
check reordering(MaxTerm = 1, MaxLog = 1, MaxMsgs = 2):
    expect ElectionSafety holds
    expect LogMatching holds
    expect LeaderCompleteness holds
    expect StateMachineSafety holds
