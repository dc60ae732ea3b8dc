spec NoField
network set
message Ping(src: 0..2)
process P:
    var seen: 0..2 = 0
    on Ping(m):
        seen := m.foo
