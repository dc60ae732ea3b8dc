# Peterson's algorithm: starvation freedom by a ranking function.
#     stateline prove specs/peterson.sl --induction --proof proofs/peterson.sl
#
# While process p waits, rank the other process q by how far it is from letting p
# in: q waiting (4), in its critical section (3), idle but holding the turn (2),
# flagged (1), and 0 once the turn is p's.  Every step of q lowers the rank, no
# step raises it, and in every waiting state some step is enabled that lowers it
# or lets p enter; weak fairness of each step of a process does the rest.

proof Peterson

# The flags say who is past `idle`.
lemma FlagsFollowPc: forall p in Procs: P[p].flag == (P[p].pc != idle)

# Whoever is in its critical section while the other waits (or is there too) holds
# the turn: the other gave it away after raising its flag.
lemma CriticalHoldsTurn:
    forall p in Procs:
        P[p].pc == critical and P[other(p)].pc in {waiting, critical} implies turn == p

rank StarvationFree:
    0 if turn == p else (
        1 if P[other(p)].pc == flagged else (
        2 if P[other(p)].pc == idle else (
        3 if P[other(p)].pc == critical else 4)))
    helps P.enter, P.yieldTurn, P.leave, P.request
