spec NonAscii
var größe: 0..3 = 0
