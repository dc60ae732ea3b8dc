spec VectorClock
# Vector clocks (Fidge; Mattern, 1988).  Each process keeps one counter per
# process; it increments its own entry on every event, a message carries the
# sender's vector, and a receiver takes the entrywise maximum before ticking.
# Vector clocks characterise causality exactly: VC(e) < VC(f) if and only if
# e happens before f, and concurrent events have incomparable vectors.
#
# Happens-before is tracked explicitly, as ghost state: every event records its
# causal past (program order and message delivery, closed transitively).

const Procs = {p1, p2, p3}
const MaxEvents = 2                      # events per process

record Event(proc: Procs, n: 1..MaxEvents)

network bag

message Msg(dst: Procs, vc: map[Procs, 0..MaxEvents], ev: Event)

def AllEvents = {Event(p, n) for p in Procs for n in 1..MaxEvents}
def Zero = {p: 0 for p in Procs}

# Ghost state: which events occurred, their vector timestamps, their causal pasts.
var happened: set[Event] = {}
var stamp: map[Event, map[Procs, 0..MaxEvents]] = {e: Zero for e in AllEvents}
var past: map[Event, set[Event]] = {e: {} for e in AllEvents}

process Node(self in Procs):
    var vc: map[Procs, 0..MaxEvents] = Zero
    var count: 0..MaxEvents = 0
    var history: set[Event] = {}

    action local:
        require count < MaxEvents
        count := count + 1
        vc[self] := vc[self] + 1
        let e = Event(self, count)
        happened := happened | {e}
        stamp[e] := vc
        past[e] := history
        history := history | {e}

    action sendTo(q in Procs):
        require q != self and count < MaxEvents
        count := count + 1
        vc[self] := vc[self] + 1
        let e = Event(self, count)
        happened := happened | {e}
        stamp[e] := vc
        past[e] := history
        history := history | {e}
        send Msg(q, vc, e)

    on Msg(m) if m.dst == self and count < MaxEvents:
        count := count + 1
        vc := {p: max(vc[p], m.vc[p]) for p in Procs}   # entrywise maximum ...
        vc[self] := vc[self] + 1                        # ... then tick
        let e = Event(self, count)
        history := history | past[m.ev] | {m.ev}
        happened := happened | {e}
        stamp[e] := vc
        past[e] := history
        history := history | {e}

def happensBefore(e, f) = e in past[f]
def leq(a, b) = forall p in Procs: a[p] <= b[p]
def less(a, b) = leq(a, b) and a != b

# VC(e) < VC(f) exactly when e happens before f.
invariant CharacterisesCausality:
    forall e, f in happened: happensBefore(e, f) == less(stamp[e], stamp[f])

# Concurrent events have incomparable vector timestamps.
invariant ConcurrentIncomparable:
    forall e, f in happened: (
        e != f and not happensBefore(e, f) and not happensBefore(f, e)
            implies not leq(stamp[e], stamp[f]) and not leq(stamp[f], stamp[e]))

# A process's own entry counts its events.
invariant OwnEntryCountsEvents: forall p in Procs: Node[p].vc[p] == Node[p].count

allow deadlock    # every process eventually uses up its events

check three(Procs = {p1, p2, p3}, MaxEvents = 2):
    expect CharacterisesCausality holds
    expect ConcurrentIncomparable holds
    expect OwnEntryCountsEvents holds

check two(Procs = {p1, p2}, MaxEvents = 3):
    expect CharacterisesCausality holds
