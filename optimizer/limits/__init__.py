"""Stage between staffing and the MILP: the client's and the provider's limits, one entry
per family (:mod:`optimizer.limits.registry`), each defined once for the model, the
verification, the explanation and the diagnosis (:mod:`optimizer.limits.base`)."""
