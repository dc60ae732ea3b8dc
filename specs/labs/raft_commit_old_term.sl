spec RaftCommitOldTerm
# Lab: the situation of figure 8 of the Raft paper.  This leader commits
# the highest index stored on a majority, whatever the term of its entry.
# An entry of an earlier term can then be "committed" while a server with a
# later-term entry at that index can still be elected (its log is more up
# to date) and overwrite it: two servers apply different entries at the
# same index, StateMachineSafety is violated (and LeaderCompleteness, a few
# steps earlier).  Raft's rule: a leader counts replicas only for entries
# of its current term.
#
# Everything else is specs/raft.sl, except for two restrictions that keep
# the search small (about 86,000 states) and that the counterexample does
# not need: only followers time out (not candidates), and a leader sends
# AppendEntries only to a server not yet known to hold its whole log (no
# heartbeats once a follower has caught up, none from an empty log).
# Bounds: four terms (entry A in term 1, a competing entry B in term 2, A
# replicated and wrongly committed in term 3, B's owner elected again in
# term 4), logs of one entry (the conflict is at index 1), one client value
# (the two entries differ by their terms, as in the paper's figure), no
# crash, one message in flight, and a network that neither loses nor
# duplicates (the bug needs neither).  ElectionSafety and LogMatching are
# left out: the commit rule does not bear on them, and checking them would
# mean searching every state of the four-term instance, while the
# counterexample needs only the states up to its length.

const Servers = {s1, s2, s3}
const Values = {v1}
const MaxTerm = 4            # terms 0..MaxTerm: the bug needs four elections
const MaxLog = 1             # the conflict is at index 1
const MaxCrashes = 0         # no crash needed
const MaxMsgs = 1            # one distinct message in flight at a time

const Terms = 0..MaxTerm
const Indexes = 0..MaxLog

enum Role = {follower, candidate, leader}
record Entry(term: Terms, value: Values)

network bag                 # no loss or duplication needed

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

    # A follower times out and starts an election.  (In specs/raft.sl a
    # candidate may time out too; this lab leaves that out to keep the
    # search small: the counterexample does not need it.)
    action timeout if role == follower and currentTerm < MaxTerm:
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

    # A leader sends j the entry at nextIndex[j] (or a heartbeat), here only
    # while j is not known to hold the whole log (see the bounds above).
    action appendEntries(j in Servers) if role == leader and j != self and matchIndex[j] < len(log):
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
                # The bug: commit the highest index stored on a majority,
                # whatever the term of its entry.
                let ok = {i for i in 1..len(log)
                          if len({s for s in Servers if s == self or matchIndex[s] >= i}) >= Majority}
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

check small:
    expect LeaderCompleteness violated
    expect StateMachineSafety violated
