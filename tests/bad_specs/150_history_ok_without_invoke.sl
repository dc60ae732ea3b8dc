# `record ok` with no pending `record invoke`: the recorded history is malformed (SL602 with a trace)
spec OkFirst
const Clients = {c1}
const Values = {v1}

history H(process: Clients, value: Values) max 4

process Client(self in Clients):
    var done: bool = false

    action write(v in Values):
        require not done
        record ok H.write()
        done := true

invariant Lin: linearizable(H)

allow deadlock

check c:
    expect Lin holds
