"""Stage 5, studies of many solves: batches, sweeps and the price frontier."""
