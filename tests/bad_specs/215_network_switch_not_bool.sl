spec SwitchNotBool
const Lossy = 1
network bag lossy(Lossy)
message Ping
var x: 0..1 = 0
allow deadlock
