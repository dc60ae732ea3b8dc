spec PrimeInInvariant
var x: 0..3 = 0
invariant Grows: x' >= x
