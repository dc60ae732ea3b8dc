spec QuorumStoreFixed
# The seed document's replicated store (specs/labs/seed_store.sl) with its
# linearizable read fixed.  The write is unchanged: insert locally, send the
# value to the other replicas, return Ok once a majority has it.  The read:
#
#   1. ask every other replica for its version (Query);
#   2. once a majority has answered (the local copy counts as one answer), take
#      the highest version;
#   3. with WriteBack, make sure a majority has that version before returning
#      (write it locally, send it on, wait for the acknowledgements: ABD's
#      second phase), then return it.
#
# n1's client writes 1; the clients at n2 and n3 read.  Versions are
# the values themselves (one writer, one write).  Messages are a set.
#
# Without step 3 the read is still not linearizable: see the check
# noWriteBack and docs/labs/seed_store.md.

const Nodes = {n1, n2, n3}
const Quorum = len(Nodes) // 2 + 1
const MaxReads = 1                 # reads per node
const WriteBack = true

network set

message Replicate(ver: 1..1)
message Ack(src: Nodes)
message Query(src: Nodes)
message QueryReply(dst: Nodes, src: Nodes, ver: 0..1)

history H(process: Nodes, value: 1..1) max 2 + 2 * (len(Nodes) - 1) * MaxReads

enum Phase = {idle, writing, querying, writingBack}

def value(v) = none if v == 0 else v
def holders(self) = {a.src for a in sent(Ack)} | {self}

process Node(self in Nodes):
    var local: 0..1 = 0            # the local copy: 0 is the initial value none
    var phase: Phase = idle
    var written: bool = false
    var reads: 0..MaxReads = 0
    var best: 0..1 = 0             # the version a read is about to return

    action write:
        require self == n1 and phase == idle and not written
        phase := writing
        record invoke H.write(1)
        local := 1
        send Replicate(1)

    on Replicate(m) if Ack(self) not in sent(Ack):
        local := max(local, m.ver)
        send Ack(self)

    action writeOk:
        require phase == writing and len(holders(self)) >= Quorum
        phase := idle
        written := true
        record ok H.write()

    action read:
        require self != n1 and phase == idle and reads < MaxReads
        reads := reads + 1
        phase := querying
        record invoke H.read()
        send Query(self)

    on Query(m) if m.src != self and not exists r in sent(QueryReply): r.dst == m.src and r.src == self:
        send QueryReply(m.src, self, local)

    # The answers of any Quorum - 1 other replicas, and the local copy.
    action readMajority(q in subsets(Nodes - {self})):
        require phase == querying and len(q) == Quorum - 1
        require forall n in q: exists r in sent(QueryReply): r.dst == self and r.src == n
        let v = max({r.ver for r in sent(QueryReply) if r.dst == self and r.src in q} | {local})
        if WriteBack and v > 0:
            best := v
            local := max(local, v)
            phase := writingBack
            send Replicate(v)
        else:
            phase := idle
            record ok H.read(value(v))

    action readOk:
        require phase == writingBack and len(holders(self)) >= Quorum
        phase := idle
        record ok H.read(value(best))
        best := 0

invariant Linearizable: linearizable(H)

allow deadlock

check three:
    expect Linearizable holds

# A majority read without the write-back: a read that overlaps the write returns
# the new value, and a later read from another majority the old one.
check noWriteBack(WriteBack = false):
    expect Linearizable violated
