spec SeedStore
# Lab: the replicated store sketched in the seed document (its
# OTLPDistributedStore, section "一致性模型"), at consistency level Linearizable.
#
#   linearizable_write: insert locally, send the value to the other replicas, and
#                       return Ok once a majority has it (the local copy counts
#                       as one acknowledgement: quorum = (2 + 1) / 2 + 1 = 2 of 3).
#   linearizable_read:  return the local copy ("may need to read a majority",
#                       says the comment; the code reads self.local).
#
# Every node is a replica and a store object that clients call; n1's client
# writes 1; the clients at n2 and n3 read.  The clients' operations are
# recorded in the history H and judged by Linearizable.  Messages are a set.

const Nodes = {n1, n2, n3}
const Quorum = len(Nodes) // 2 + 1
const MaxReads = 1                 # reads per node

network set

message Replicate(ver: 1..1)
message Ack(src: Nodes)

history H(process: Nodes, value: 1..1) max 2 + 2 * (len(Nodes) - 1) * MaxReads

def value(v) = none if v == 0 else v

process Node(self in Nodes):
    var local: 0..1 = 0            # the local copy: 0 is the initial value none
    var writing: bool = false
    var written: bool = false
    var reads: 0..MaxReads = 0

    action write:
        require self == n1 and not writing and not written
        writing := true
        record invoke H.write(1)
        local := 1
        send Replicate(1)

    on Replicate(m) if self != n1 and Ack(self) not in sent(Ack):
        local := m.ver
        send Ack(self)

    action writeOk:
        require writing and 1 + len(sent(Ack)) >= Quorum
        writing := false
        written := true
        record ok H.write()

    action read:
        require self != n1 and reads < MaxReads
        reads := reads + 1
        record invoke H.read()
        record ok H.read(value(local))

invariant Linearizable: linearizable(H)

allow deadlock

check three:
    expect Linearizable violated
