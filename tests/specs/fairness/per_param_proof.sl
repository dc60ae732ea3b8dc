proof PerParam

rank Served2: 0 helps serve
