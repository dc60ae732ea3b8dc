spec NoNetwork
message Ping(src: 0..2)
var x: 0..3 = 0
