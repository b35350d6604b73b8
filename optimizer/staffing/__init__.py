"""Stage 2, staffing: queueing formulas, agents required per tier and interval, costs
and billable quantities."""
