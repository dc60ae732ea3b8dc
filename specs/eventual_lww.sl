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
# network may also be partitioned (at most MaxPartitions times) and healed, by
# the built-in `network.partition` and `network.heal` steps of `partitions(N)`:
# a gossip message cannot be received across the cut until the network heals
# (it stays in the network).  Writes go on at any replica, on either side.
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
# write), provided the partition heals (weak fairness of network.heal) and gossip is
# fair: weak fairness for sending, strong fairness for receiving (a message
# that is sent again and again is eventually received: a fair-lossy link).

const N = 3
const Replicas = 1..N
const MaxWrites = 2
const Writes = 1..MaxWrites
const MaxPartitions = 1

network bag lossy partitions(MaxPartitions)

record Stamp(time: 0..MaxWrites, node: 0..N)     # node 0: the initial value's stamp

message Gossip(dst: Replicas, cur: 0..MaxWrites, ts: Stamp, past: set[Writes])

var writes: 0..MaxWrites = 0
var before: map[Writes, set[0..MaxWrites]] = {w: {} for w in Writes}    # ghost

def later(a, b) = a.time > b.time or (a.time == b.time and a.node > b.node)
def next(r) = r % N + 1

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

    on Gossip(m) if m.dst == self:
        clock := max(clock, m.ts.time)
        past := past | m.past
        if later(m.ts, ts):
            cur := m.cur
            ts := m.ts

invariant CausalWritesWin:
    forall r in Replicas: forall k in Replica[r].past: Replica[r].cur not in before[k]

property Converge: eventually always forall r in Replicas: Replica[r].cur == Replica[1].cur

check fair:
    fair weak Replica.gossip, network.heal
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
