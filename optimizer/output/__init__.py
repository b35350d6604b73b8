"""Stage 6, output: text, JSON and CSV reports, comparisons, workbooks, plots, and
safe file writing."""
