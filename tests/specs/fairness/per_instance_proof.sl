proof PerInstance

rank Done: 0 helps P.finish
