module sluice.dev/bench/parity

go 1.19
