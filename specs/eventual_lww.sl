spec EventualLWW
# An eventually consistent register: last-writer-wins (LWW) replicas kept in
# step by anti-entropy gossip, as in Dynamo-style stores.  Every replica keeps a
# value and its timestamp; a write at a replica and a state received by gossip
# are merged the same way: the larger timestamp wins.  Timestamps are Lamport
# clocks, (time, node), the node id breaking ties:
#
#   write:    clock := clock + 1; the new value gets the stamp (clock, self)
#   receive:  clock := max(clock, the received stamp's time)
#
# Each replica gossips its whole state to the next replica on a ring (1 -> 2 ->
# 3 -> 1), one message in flight per link.  The network is lossy: a gossip
# message may be dropped, and the replica then sends its state again.  The
# network may also be partitioned (at most MaxPartitions times) and healed:
# `split` cuts the replicas into two sides, and a gossip message cannot be
# received across the cut until `rejoin` heals it (it stays in the network).
# Writes go on at any replica, on either side.
#
# (The partition is written out as two global actions rather than with the
# built-in `network bag partitions(N)`, because a check block cannot declare
# the built-in `heal` fair, and "once the network has healed" is the
# assumption of the convergence claim.)
#
# Write k writes the value k.  Two ghost variables record causality (they are
# not part of the protocol): `past` is the set of writes in a replica's causal
# past (its own writes and the pasts of the states it has received), and
# before[k] the causal past of write k, with 0 standing for the initial value.
#
# CausalWritesWin: a replica never holds a write that a write in its causal
# past causally follows; a causally later write is never overwritten by an
# earlier one.  Converge: every behaviour ends with all replicas holding the
# same value for good (writes are bounded, so every behaviour has a last
# write), provided the partition heals (weak fairness of rejoin) and gossip is
# fair: weak fairness for sending, strong fairness for receiving (a message
# that is sent again and again is eventually received: a fair-lossy link).

const N = 3
const Replicas = 1..N
const MaxWrites = 2
const Writes = 1..MaxWrites
const MaxPartitions = 1

network bag lossy

record Stamp(time: 0..MaxWrites, node: 0..N)     # node 0: the initial value's stamp

message Gossip(dst: Replicas, cur: 0..MaxWrites, ts: Stamp, past: set[Writes])

var writes: 0..MaxWrites = 0
var before: map[Writes, set[0..MaxWrites]] = {w: {} for w in Writes}    # ghost
var cut: set[Replicas] = {}           # the side of replica 1 while partitioned; {}: whole
var partitions: 0..MaxPartitions = 0

def later(a, b) = a.time > b.time or (a.time == b.time and a.node > b.node)
def next(r) = r % N + 1
def prev(r) = (r + N - 2) % N + 1
def together(a, b) = cut == {} or ((a in cut) == (b in cut))

action split(side in subsets(Replicas)):
    require cut == {} and partitions < MaxPartitions
    require 1 in side and side != Replicas
    cut := side
    partitions := partitions + 1

action rejoin:
    require cut != {}
    cut := {}

process Replica(self in Replicas):
    var clock: 0..MaxWrites = 0
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

    on Gossip(m) if m.dst == self and together(prev(self), self):
        clock := max(clock, m.ts.time)
        past := past | m.past
        if later(m.ts, ts):
            cur := m.cur
            ts := m.ts

invariant CausalWritesWin:
    forall r in Replicas: forall k in Replica[r].past: Replica[r].cur not in before[k]

property Converge: eventually always forall r in Replicas: Replica[r].cur == Replica[1].cur

check fair:
    fair weak Replica.gossip, rejoin
    fair strong Replica.Gossip
    expect CausalWritesWin holds
    expect Converge holds

# A partition that never heals: a write on one side never reaches the other.
check noHeal:
    fair weak Replica.gossip
    fair strong Replica.Gossip
    expect Converge violated

# Weak fairness of receiving is not enough on a lossy network: the network may
# drop every gossip message, and the replica resends it forever.
check weakDelivery(MaxPartitions = 0):
    fair weak Replica.gossip, Replica.Gossip
    expect Converge violated
