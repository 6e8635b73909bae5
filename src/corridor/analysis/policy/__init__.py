"""Policy rules evaluated on the data (issue 9).

* threshold rules with rolling windows and hysteresis, as files (``rules``),
  evaluated on daily counts or, approximately, on monthly ones (``engine``,
  ``approx``), with what-if variants and projections from the monitor's
  forecasts (``whatif``);
* legal-pathway effects: before/after and difference-in-differences of the
  nationalities a pathway covers against comparable ones (``pathways``).
"""
