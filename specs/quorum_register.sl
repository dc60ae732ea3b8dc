spec QuorumRegister
# A replicated read/write register over N replicas, in the style of Dynamo-like
# stores and of Attiya, Bar-Noy and Dolev's ABD register.  Every replica keeps a
# versioned value; the value written by the k-th write is k, and so is its version
# (one writer, so versions need no tie-break).
#
#   write(v): send Write(v) to every replica, wait for W acknowledgements.
#   read():   send Read to every replica, wait for R replies, take the value of
#             the highest version.  With ReadRepair the reader first writes that
#             version back and waits for W acknowledgements (blocking read repair,
#             ABD's second phase), and only then returns.
#
# The clients' operations are recorded in the history H; the invariant
# Linearizable judges it.  Messages are a set (Paxos.tla style): loss, delay,
# reordering and duplication are all behaviours of the model.

const Replicas = {r1, r2, r3}
const N = len(Replicas)
const R = 2
const W = 2
const ReadRepair = true

const Clients = {c1, c2}          # c1 writes, c2 reads
const MaxWrites = 1
const MaxReads = 2
const Values = 1..MaxWrites
const Versions = 0..MaxWrites     # 0: the initial value, none

network set

message Write(ver: Values)                              # "store version ver"
message Ack(ver: Values, src: Replicas)                 # "I have ver (or newer)"
message Read(client: Clients, rid: 0..MaxReads - 1)
message Reply(client: Clients, rid: 0..MaxReads - 1, src: Replicas, ver: Versions)

history H(process: Clients, value: Values) max 2 * (MaxWrites + MaxReads)

enum Phase = {idle, writing, reading, repairing}

def value(v) = none if v == 0 else v
def acks(v) = len({m.src for m in sent(Ack) if m.ver == v})
def ReadQuorums = {q for q in subsets(Replicas) if len(q) == R}

process Replica(self in Replicas):
    var ver: Versions = 0

    on Write(m) if Ack(m.ver, self) not in sent(Ack):
        ver := max(ver, m.ver)
        send Ack(m.ver, self)

    on Read(m) if not exists x in sent(Reply): x.client == m.client and x.rid == m.rid and x.src == self:
        send Reply(m.client, m.rid, self, ver)

process Client(self in Clients):
    var phase: Phase = idle
    var writes: 0..MaxWrites = 0
    var reads: 0..MaxReads = 0
    var best: Versions = 0            # the version a read is about to return

    action write:
        require self == c1 and phase == idle and writes < MaxWrites
        writes := writes + 1
        phase := writing
        record invoke H.write(writes)
        send Write(writes)

    action writeDone:
        require phase == writing and acks(writes) >= W
        phase := idle
        record ok H.write()

    action read:
        require self == c2 and phase == idle and reads < MaxReads
        phase := reading
        record invoke H.read()
        send Read(self, reads)

    # Any R of the replies that have arrived: the first R to arrive.
    action readDone(q in ReadQuorums):
        require phase == reading
        require forall r in q: exists m in sent(Reply): m.client == self and m.rid == reads and m.src == r
        let v = max({m.ver for m in sent(Reply) if m.client == self and m.rid == reads and m.src in q})
        if ReadRepair and v > 0:
            best := v
            phase := repairing
            send Write(v)
        else:
            phase := idle
            reads := reads + 1
            record ok H.read(value(v))

    action repairDone:
        require phase == repairing and acks(best) >= W
        phase := idle
        reads := reads + 1
        record ok H.read(value(best))
        best := 0

invariant Linearizable: linearizable(H)

allow deadlock

# R + W > N with read repair: every read sees the latest completed write, and a
# read that returns a value makes it stick before returning.
check n3r2w2:
    expect Linearizable holds

check n3r1w3(R = 1, W = 3):
    expect Linearizable holds

check n3r3w1(R = 3, W = 1):
    expect Linearizable holds

# Larger instances hold too, but are too slow for every CI run:
#   stateline check specs/quorum_register.sl --check n3r2w2 \
#       -D 'Replicas={r1,r2,r3,r4}' -D R=3 -D W=2      (204,250 states)
#   ... --check n3r2w2 -D MaxWrites=2                   (1,563,131 states)

# Quorum intersection alone is not enough: without the write-back, a read that
# overlaps a write can return the new value and a later read the old one.
check n3r2w2NoRepair(ReadRepair = false):
    expect Linearizable violated
