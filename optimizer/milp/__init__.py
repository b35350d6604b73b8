"""Stage 3, the MILP: model building, cuts, and solving with HiGHS or CBC."""
