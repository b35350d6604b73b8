"""The last sections of docs/scenario.md, written by hand: CSV profiles and errors
(:mod:`optimizer.scenario.reference` puts them after the generated tables; the
sections before them are in :mod:`optimizer.scenario.reference_text`)."""

CSV = """\
## CSV profiles

`profile: {{csv: FILE, column: NAME}}` reads one column of a CSV file as the
profile's weights.

```text
interval_start,customer_service,moving_house
mon 00:00,0,0
mon 00:30,0,0
...
sun 23:30,0,0
```

* `FILE` is resolved relative to the scenario file's folder and may not climb out
  of it (`../x.csv` is refused); an absolute path is allowed. It must be a regular
  file of at most 20 MB, UTF-8 text.
* The **first line** is the header; `column` names one of its cells. Blank lines
  are skipped. Every other line must hold a number in that column, non-negative and
  at most 1e12, written as a decimal (`12`, `0.5`, `.5`, `1e3`; not `1_000`, `inf`
  or a decimal comma), and no more cells than the header has (a decimal comma
  `0,5` splits a number in two: refused, not read as 0). A `column` the header
  names twice is refused. Messages name the file, the line and the column, never
  the content.
* **Row order.** When the first column holds labels (and the weights are another
  column), rows are placed by label: `mon 09:00`, `Monday 09:00` (day names or
  their first three letters, any case) for a week, or `09:00` alone for a one-day
  profile. Labels must form a complete regular grid, each interval once; an export
  that starts on Sunday is put back in week order; a label that does not fit is
  refused naming its line. When the chosen column is the first one, or the first
  column holds numbers, rows are read in order from Monday 00:00.
* **Row count** follows the list forms of [Profiles](#profiles): one row per
  interval of the week, per hour of the week (168), per interval of a day or per
  hour of a day (24), at the scenario's `interval_minutes`.

"""

ERRORS = """\
## Errors

An invalid scenario gives one line per problem, naming the file, the field path,
the value and what was expected, and exit code 2 (see [output.md](output.md#errors-and-exit-codes)):

```text
3 problems in the scenario:
  - deal.yaml: categories[0].aht_seconds = -3: expected a number in [1, 86,400] (seconds)
  - deal.yaml: categories[1].tiers[0].service_level = 1.2: expected a number in (0, 1] (a share)
  - deal.yaml: provider.sites[0].shrinkage = 1.0: expected a number in [0, 1) (a share)
```

Problems between fields (a tier without prices, a profile of the wrong length, an
unknown minimum tier, a duplicate name, a variant's own problems) are listed with
the fields' own: to find them, each number out of its range is replaced by the
smallest and then by the largest of a few values its field accepts, and a problem is
listed when both find it (one that only a replacement causes is not). A value of the
wrong kind (text where a number goes) and files of more than 200 categories are
not replaced: their field problems come first.

YAML is read with a safe loader (duplicate keys are errors); merge keys
(`<<: *base`) work; `1e6` is a number.
"""
