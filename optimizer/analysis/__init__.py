"""Stage 4, analysis of a solution: independent verification, the worth of each limit,
the diagnosis of infeasible deals."""
