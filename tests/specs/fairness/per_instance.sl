# Item 9: PlusCal's `fair process` is weak fairness of the whole step relation of each
# instance (`per instance`): taking `spin` forever satisfies it, while `fair weak P`
# (weak fairness of each action) forces `finish`.
spec PerInstance

process P:
    var x: bool = false
    var done: bool = false

    action spin:
        x := not x

    action finish:
        require not done
        done := true

property Done: eventually P.done

allow deadlock

check eachAction:
    fair weak P
    expect Done holds

check wholeProcess:
    fair weak P per instance
    expect Done violated
