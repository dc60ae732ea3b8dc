# Item 8: process-wide fairness never makes the built-in crash fair; naming recover
# makes recovery an assumption.
spec CrashFair

const Servers = {s1}

process Server(self in Servers):
    crash recover max 1
    var n: 0..1 = 0

    action work:
        require n == 0
        n := 1

property Down: eventually not Server[s1].up
property Worked: eventually Server[s1].n == 1

allow deadlock

check processWide:
    fair weak Server
    expect Down violated
    expect Worked violated

check withRecover:
    fair weak Server, Server.recover
    expect Down violated
    expect Worked holds
