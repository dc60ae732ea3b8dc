spec LeadingZero
const N = 007
var x: 0..N = 0
