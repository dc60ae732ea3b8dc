spec TwoPhaseCommitProcs
# specs/two_phase_commit.sl with procedures: the TM's decide(commit) and the RMs' leave(to)
# are inlined into the actions that call them, so every check block explores exactly
# the states and transitions of the original (tests/test_procedures.py pins both).
# The classic two-phase commit protocol (Gray & Lamport, "Consensus on
# Transaction Commit"), written with the variables and actions of Lamport's
# TwoPhase.tla: a transaction manager collects Prepared messages and decides;
# resource managers prepare, or abort spontaneously while still working.
# Messages are a set: once sent, a message can be received any number of times.

const N = 3
const RMs = 1..N

enum RMState = {working, prepared, committed, aborted}
enum TMState = {init, done}

network set

message Prepared(rm: RMs)
message Commit
message Abort

process TM:
    var state: TMState = init
    var tmPrepared: set[RMs] = {}

    on Prepared(m) if state == init:
        tmPrepared := tmPrepared | {m.rm}

    proc decide(commit: bool):
        require state == init
        state := done
        if commit:
            require tmPrepared == RMs
            send Commit
        else:
            send Abort

    action commit:
        decide(true)

    action abort:
        decide(false)

process RM(self in RMs):
    var state: RMState = working

    proc leave(to: RMState):
        require state == working
        state := to

    action prepare:
        leave(prepared)
        send Prepared(self)

    action decideAbort:
        leave(aborted)

    on Commit(m):
        state := committed

    on Abort(m):
        state := aborted

# No resource manager has committed while another has aborted.
invariant Consistent:
    not (exists r in RMs: RM[r].state == committed) or not (exists r in RMs: RM[r].state == aborted)

# A resource manager commits only after every one of them has prepared.
invariant CommitNeedsAllPrepared:
    (exists r in RMs: RM[r].state == committed) implies TM.tmPrepared == RMs

# Liveness: every resource manager eventually commits or aborts.  It needs the
# transaction manager to act and messages to be handled; without fairness a
# behaviour may simply stop.
property AllDecide:
    eventually forall r in RMs: RM[r].state == committed or RM[r].state == aborted

check n3(N = 3):
    expect Consistent holds
    expect CommitNeedsAllPrepared holds
    expect AllDecide violated

check n4(N = 4):
    expect Consistent holds
    expect AllDecide violated

check n5(N = 5):
    expect Consistent holds
    expect AllDecide violated

# A fair transaction manager and fair message handling: everyone decides.
check fairN3(N = 3):
    fair weak TM, RM.Commit, RM.Abort
    expect AllDecide holds

# Fair message handling alone is not enough: the TM may never decide.
check fairHandlersOnly(N = 3):
    fair weak RM.Commit, RM.Abort
    expect AllDecide violated
