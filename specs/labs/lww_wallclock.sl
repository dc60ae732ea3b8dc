spec LWWWallClock
# Lab: specs/eventual_lww.sl with timestamps from wall clocks instead of Lamport
# clocks.  Every replica has its own clock, not synchronised with the others:
# they start at different readings (replica 1 is ahead of replica 2, which is
# ahead of replica 3).  A write still moves the writer's clock on and is stamped
# (clock, self), but a received state no longer moves the receiver's clock.
# (A wall clock also advances between events; that ticking is left out, since
# only the skew between the clocks matters here and ticks multiply the states.)  Everything else (the LWW merge, the
# node-id tie-break, the gossip ring, the partitions, the ghost variables, the
# invariant and the convergence property) is unchanged.
#
# CausalWritesWin: a replica never holds a write that a write in its causal
# past causally follows; a causally later write is never overwritten by an
# earlier one.  With wall clocks it fails: a write stamped by a clock that is
# behind loses to a write it causally follows.  Converge still holds: the
# replicas agree, on the wrong value.

const N = 3
const Replicas = 1..N
const MaxWrites = 2
const Writes = 1..MaxWrites
const MaxPartitions = 1
const MaxClock = N - 1 + MaxWrites   # replica 1's clock after MaxWrites writes

network bag lossy partitions(MaxPartitions)

record Stamp(time: 0..MaxClock, node: 0..N)     # node 0: the initial value's stamp

message Gossip(dst: Replicas, cur: 0..MaxWrites, ts: Stamp, past: set[Writes])

var writes: 0..MaxWrites = 0
var before: map[Writes, set[0..MaxWrites]] = {w: {} for w in Writes}    # ghost

def later(a, b) = a.time > b.time or (a.time == b.time and a.node > b.node)
def next(r) = r % N + 1

process Replica(self in Replicas):
    var clock: 0..MaxClock = N - self     # this replica's wall clock
    var cur: 0..MaxWrites = 0             # the write whose value this replica holds
    var ts: Stamp = Stamp(0, 0)
    var past: set[Writes] = {}            # ghost

    action write:
        require writes < MaxWrites
        writes := writes + 1
        clock := clock + 1
        before[writes] := past | {0}
        past := past | {writes}
        if later(Stamp(clock, self), ts):
            cur := writes
            ts := Stamp(clock, self)

    # Anti-entropy: send the whole state to the next replica (again, if it was lost).
    action gossip:
        require not exists m in sent(Gossip): m.dst == next(self)
        send Gossip(next(self), cur, ts, past)

    on Gossip(m) if m.dst == self:
        past := past | m.past
        if later(m.ts, ts):
            cur := m.cur
            ts := m.ts

invariant CausalWritesWin:
    forall r in Replicas: forall k in Replica[r].past: Replica[r].cur not in before[k]

property Converge: eventually always forall r in Replicas: Replica[r].cur == Replica[1].cur

check three:
    expect CausalWritesWin violated
    expect Converge holds
    fair weak Replica.gossip, network.heal
    fair strong Replica.Gossip
