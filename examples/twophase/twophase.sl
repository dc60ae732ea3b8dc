spec TwoPhaseService
# Two-phase commit as examples/twophase/service.py runs it: the transaction
# manager runs transactions one after another; for each it asks every resource
# manager to prepare, collects their votes, commits when all vote yes and aborts
# at the first no, and waits for every acknowledgement before the next one.
# Messages travel over TCP with random delays, so the network is a bag: any
# message in flight may be delivered next.  `stateline trace validate` checks the
# service's OpenTelemetry traces against this spec (docs/trace-validation.md).

const N = 3
const RMs = 1..N
const MaxTx = 2
const Tx = 1..MaxTx

enum Phase = {idle, collecting, committing, aborting}
enum RMState = {done, working, prepared, committed, aborted}

network bag

message Prepare(tx: Tx, rm: RMs)
message Vote(tx: Tx, rm: RMs, yes: bool)
message Commit(tx: Tx, rm: RMs)
message Abort(tx: Tx, rm: RMs)
message Ack(tx: Tx, rm: RMs)

process TM:
    var tx: 0..MaxTx = 0
    var phase: Phase = idle
    var yes: set[RMs] = {}
    var acks: set[RMs] = {}

    action begin:
        require phase == idle and tx < MaxTx
        tx := tx + 1
        phase := collecting
        yes := {}
        acks := {}
        for r in RMs:
            send Prepare(tx, r)

    # Every vote is consumed; one that comes after the decision changes nothing.
    on Vote(m):
        if m.tx == tx and phase == collecting:
            if m.yes:
                yes := yes | {m.rm}
            else:
                phase := aborting
                for r in RMs:
                    send Abort(tx, r)

    action commit:
        require phase == collecting and yes == RMs
        phase := committing
        for r in RMs:
            send Commit(tx, r)

    on Ack(m) if m.tx == tx and phase in {committing, aborting}:
        acks := acks | {m.rm}
        if acks == RMs:
            phase := idle

process RM(self in RMs):
    var tx: 0..MaxTx = 0
    var state: RMState = done

    on Prepare(m) if m.rm == self:
        tx := m.tx
        state := working

    action vote(yes in {true, false}):
        require state == working
        state := prepared if yes else aborted
        send Vote(tx, self, yes)

    on Commit(m) if m.rm == self and m.tx == tx:
        state := committed
        send Ack(tx, self)

    on Abort(m) if m.rm == self and m.tx == tx:
        state := aborted
        send Ack(tx, self)

# Within a transaction, no resource manager commits while another aborts.
invariant Atomic:
    forall r1, r2 in RMs: RM[r1].tx == RM[r2].tx implies not (RM[r1].state == committed and RM[r2].state == aborted)

# A resource manager commits the current transaction only when every one voted yes.
invariant CommitNeedsAllVotes:
    forall r in RMs: (RM[r].state == committed and RM[r].tx == TM.tx) implies TM.yes == RMs

# The service runs a fixed number of transactions and stops.
allow deadlock

check small:
    expect Atomic holds
    expect CommitNeedsAllVotes holds
