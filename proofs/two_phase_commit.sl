# Two-phase commit: Consistent (and CommitNeedsAllPrepared) are inductive
# together with these lemmas, for every instance checked.
#     stateline prove specs/two_phase_commit.sl --induction --proof proofs/two_phase_commit.sl

proof TwoPhaseCommit

# The transaction manager counts a resource manager only after its Prepared arrives.
lemma CountedPrepared: forall r in TM.tmPrepared: Prepared(r) in sent(Prepared)

# A resource manager that has sent Prepared is no longer working.
lemma PreparedLeftWorking:
    forall r in RMs: Prepared(r) in sent(Prepared) implies RM[r].state != working

# A prepared resource manager aborts only on the manager's Abort.
lemma PreparedAbortsOnAbort:
    forall r in RMs:
        RM[r].state == aborted and Prepared(r) in sent(Prepared) implies len(sent(Abort)) > 0

# A committed resource manager has received Commit.
lemma CommittedOnCommit: forall r in RMs: RM[r].state == committed implies len(sent(Commit)) > 0

# The manager commits only when every resource manager has prepared ...
lemma CommitAfterAllPrepared: len(sent(Commit)) > 0 implies TM.tmPrepared == RMs

# ... decides once ...
lemma DecidedOnce: len(sent(Commit)) == 0 or len(sent(Abort)) == 0

# ... and stops listening once it has decided.
lemma DecisionIsFinal: len(sent(Commit)) + len(sent(Abort)) > 0 implies TM.state == done

# A manager that is done has sent its decision, which the resource managers can always
# receive again (the network is a set): with the manager still in init able to abort,
# some action is always enabled, which proves deadlock freedom.
lemma DoneHasDecided: TM.state == done implies len(sent(Commit)) + len(sent(Abort)) > 0
