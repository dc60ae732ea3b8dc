spec CAP
# The CAP theorem (Brewer; Gilbert and Lynch, 2002) on the smallest system that
# shows it: a register replicated on two replicas, r1 and r2, a client next to
# each (c1 talks to r1, c2 to r2), and a network that can be partitioned.  c1
# writes 1 and then reads; c2 reads twice.  Every message crosses the network,
# and a partition can cut any set of these four nodes off from the others.
#
# A replica that receives a write applies it locally and sends it to its peer
# (Replicate).  It answers its client:
#
#   CP = true   only once the peer has answered (both replicas form the only
#               majority of two): a write once the peer has acknowledged it, a
#               read once the peer has reported its version (Query), with the
#               newer of the two.  Without its peer it refuses to answer: it
#               waits (an error reply would not be an answer either);
#   CP = false  at once, from its local copy; a write still goes to the peer,
#               in the background, unacknowledged.  It is always available.
#
# Linearizable judges the clients' recorded history.  Available is Gilbert and
# Lynch's availability: every request that a replica receives gets an answer.
# The check blocks make the choice concrete: with CP the history is always
# linearizable but a partition leaves a request unanswered forever; with AP every
# request is answered but a read can miss a write that has completed.

const Replicas = {r1, r2}
const Clients = {c1, c2}
const CP = true
const MaxPartitions = 1
const MaxOps = 2                  # operations per client

network bag partitions(MaxPartitions)

enum Op = {write, read}

message WriteReq(client: Clients, ver: 1..1)        # client -> its replica
message ReadReq(client: Clients)
message WriteOk(client: Clients)                    # replica -> client
message ReadOk(client: Clients, ver: 0..1)
message Replicate(dst: Replicas, ver: 0..1)         # replica -> peer
message Replicated(dst: Replicas)
message Query(dst: Replicas)
message QueryReply(dst: Replicas, ver: 0..1)

history H(process: Clients, value: 1..1) max 4 * MaxOps

def home(c) = r1 if c == c1 else r2
def peer(r) = r2 if r == r1 else r1
def value(v) = none if v == 0 else v

process Replica(self in Replicas):
    var ver: 0..1 = 0                 # the local copy: 0 is the initial value none
    var serving: Clients? = none      # the client whose request is being served
    var op: Op = write
    var peerDone: bool = false        # the peer has answered Replicate or Query
    var peerVer: 0..1 = 0

    on WriteReq(m) if home(m.client) == self and serving == none:
        ver := max(ver, m.ver)
        serving := m.client
        op := write
        peerDone := false
        send Replicate(peer(self), ver)

    on ReadReq(m) if home(m.client) == self and serving == none:
        serving := m.client
        op := read
        peerDone := false
        peerVer := 0
        if CP:
            send Query(peer(self))

    on Replicate(m) if m.dst == self:
        ver := max(ver, m.ver)
        if CP:
            send Replicated(peer(self))

    on Replicated(m) if m.dst == self:
        peerDone := true

    on Query(m) if m.dst == self:
        send QueryReply(peer(self), ver)

    on QueryReply(m) if m.dst == self:
        peerDone := true
        peerVer := m.ver

    action answer:
        require serving != none
        require peerDone or not CP
        if op == write:
            send WriteOk(serving)
        else:
            send ReadOk(serving, max(ver, peerVer) if CP else ver)
        serving := none

process Client(self in Clients):
    var ops: 0..MaxOps = 0            # operations invoked so far
    var busy: bool = false

    # c1's first operation is a write of 1; every other operation is a read.
    action write:
        require self == c1 and ops == 0 and not busy
        ops := ops + 1
        busy := true
        record invoke H.write(1)
        send WriteReq(self, 1)

    on WriteOk(m) if m.client == self:
        busy := false
        record ok H.write()

    action read:
        require (self == c2 or ops > 0) and ops < MaxOps and not busy
        ops := ops + 1
        busy := true
        record invoke H.read()
        send ReadReq(self)

    on ReadOk(m) if m.client == self:
        busy := false
        record ok H.read(value(m.ver))

invariant Linearizable: linearizable(H)

# Availability (Gilbert and Lynch): every request a replica receives is answered.
property Available: forall r in Replicas: Replica[r].serving != none leads_to Replica[r].serving == none

allow deadlock

# CP: consistent, but a partition between r1 and r2 leaves a request unanswered.
check cp:
    fair weak Replica
    expect Linearizable holds
    expect Available violated

# AP: every request is answered, but a read can miss a completed write.
check ap(CP = false):
    fair weak Replica
    expect Linearizable violated
    expect Available holds

# Without partitions the CP replicas answer every request: "CA" is CP on a network
# that never partitions.
check cpNoPartition(CP = true, MaxPartitions = 0):
    fair weak Replica
    expect Linearizable holds
    expect Available holds
