"""Volume risk of a verified plan: months drawn around the forecast, the service the
plan's fixed staffing gives in each, the SLA credits and the margin they leave.

Modules, lowest first: ``service`` (the stationary service level of an interval, and
of a day, from the exact queueing functions), ``plan`` (what a verified result fixes:
tiers, prices, staffing), ``draws`` (the random months), ``engine`` (the simulation),
``summary`` (percentiles and the result type) and ``workers`` (the batches shared by
the cores). See docs/risk.md.
"""
