spec LamportClock
# Lamport's logical clocks ("Time, Clocks, and the Ordering of Events in a
# Distributed System", 1978).  Each process ticks its clock on every event;
# a message carries its sender's clock, and a receiver sets its clock past
# both its own and the message's.  Clock condition: if event e happens before
# event f, then C(e) < C(f).
#
# Happens-before is tracked explicitly, as ghost state: every event records
# its causal past, the set of all events that happen before it (program order
# and message delivery, closed transitively).

const Procs = {p1, p2, p3}
const MaxEvents = 2                      # events per process
const MaxClock = len(Procs) * MaxEvents  # no clock can pass the number of events

record Event(proc: Procs, n: 1..MaxEvents)

network bag                              # a message is consumed when received

message Msg(dst: Procs, ts: 0..MaxClock, ev: Event)

# Ghost state: which events occurred, their timestamps, their causal pasts.
var happened: set[Event] = {}
var stamp: map[Event, 0..MaxClock] = {e: 0 for e in AllEvents}
var past: map[Event, set[Event]] = {e: {} for e in AllEvents}

def AllEvents = {Event(p, n) for p in Procs for n in 1..MaxEvents}

process Node(self in Procs):
    var clock: 0..MaxClock = 0
    var count: 0..MaxEvents = 0
    var history: set[Event] = {}         # every event that happened before my next one

    action local:
        require count < MaxEvents
        count := count + 1
        clock := clock + 1
        let e = Event(self, count)
        happened := happened | {e}
        stamp[e] := clock
        past[e] := history
        history := history | {e}

    action sendTo(q in Procs):
        require q != self and count < MaxEvents
        count := count + 1
        clock := clock + 1
        let e = Event(self, count)
        happened := happened | {e}
        stamp[e] := clock
        past[e] := history
        history := history | {e}
        send Msg(q, clock, e)

    on Msg(m) if m.dst == self and count < MaxEvents:
        count := count + 1
        clock := max(clock, m.ts) + 1        # the receive rule
        let e = Event(self, count)
        history := history | past[m.ev] | {m.ev}
        happened := happened | {e}
        stamp[e] := clock
        past[e] := history
        history := history | {e}

def happensBefore(e, f) = e in past[f]

# The clock condition.
invariant ClockCondition:
    forall e, f in happened: happensBefore(e, f) implies stamp[e] < stamp[f]

# Happens-before is a strict partial order: irreflexive, and transitive by construction.
invariant Irreflexive: forall e in happened: not happensBefore(e, e)
invariant Transitive:
    forall e, f, g in happened: happensBefore(e, f) and happensBefore(f, g) implies happensBefore(e, g)

# The clock of a process is the largest timestamp among its events.
invariant ClockIsLastStamp:
    forall p in Procs: forall e in happened: e.proc == p implies stamp[e] <= Node[p].clock

allow deadlock    # every process eventually uses up its events

check three(Procs = {p1, p2, p3}, MaxEvents = 2):
    expect ClockCondition holds
    expect Irreflexive holds
    expect Transitive holds
    expect ClockIsLastStamp holds

check two(Procs = {p1, p2}, MaxEvents = 3):
    expect ClockCondition holds
