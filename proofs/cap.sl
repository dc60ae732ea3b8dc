# CAP: no run-time error (the history H never outgrows its bound, 4 * MaxOps events),
# the premise liveness to safety needs to decide Available (the Z3 engines cannot encode
# Linearizable, hence --property):
#     stateline prove specs/cap.sl --property Available --liveness-to-safety --proof proofs/cap.sl
#
# Each client has at most one operation in progress, and that operation is at exactly one
# place: its request in flight, its home replica serving it, or its answer in flight.  So
# H holds two events per finished operation and one per operation in progress: at most
# 2 * MaxOps per client.

proof CAP

# A replica serves only the clients it is the home of.
lemma ServesHome: forall r in Replicas: Replica[r].serving == none or home(Replica[r].serving) == r

# A busy client's operation is in exactly one place; an idle client's is nowhere.
lemma OnePlace:
    forall c in Clients:
        copies(WriteReq(c, 1)) + copies(ReadReq(c)) +
        (1 if Replica[home(c)].serving == c else 0) +
        copies(WriteOk(c)) + copies(ReadOk(c, 0)) + copies(ReadOk(c, 1))
        == (1 if Client[c].busy else 0)

# H has two events per finished operation and one per operation in progress.
lemma HistoryLength:
    len(H) == 2 * Client[c1].ops + 2 * Client[c2].ops
              - (1 if Client[c1].busy else 0) - (1 if Client[c2].busy else 0)
