"""The columns of ``tierprice compare``: which variants ``--variants`` names, and one
name for each column (two versions of one deal are two files of one ``scenario:`` name)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.studies.batch import Job


def variant_names(given: str, defined: list[str]) -> list[str]:
    """``--variants``: ``all``, one variant's name (commas and all), or names split at
    commas.

    >>> variant_names("a,b", ["a,b", "a"]), variant_names("a, b", ["a", "b"])
    (['a,b'], ['a', 'b'])
    """
    if given == "all":
        return defined
    if given in defined:
        return [given]
    return [name.strip() for name in given.split(",")]


def distinct(jobs: list[Job], sources: list[str]) -> list[Job]:
    """The jobs with one name each, so that columns, rows and JSON results say which is
    which: a name two files share (two versions of one deal) gets each one's file added;
    one file given twice, its position among those of its name.

    >>> from optimizer.options import RunOptions
    >>> from optimizer.studies.batch import Job
    >>> jobs = [Job("Acme", None, RunOptions()), Job("Acme", None, RunOptions())]
    >>> [j.label for j in distinct(jobs, ["v1.yaml", "v2.yaml"])]
    ['Acme (v1.yaml)', 'Acme (v2.yaml)']
    >>> [j.label for j in distinct(jobs, ["v1.yaml", "v1.yaml"])]
    ['Acme #1', 'Acme #2']
    """
    labels = [job.label for job in jobs]
    if len(set(labels)) == len(labels):
        return jobs
    files = {
        label: {s for s, n in zip(sources, labels, strict=True) if n == label} for label in labels
    }
    labels = [
        f"{label} ({source})" if len(files[label]) > 1 else label
        for label, source in zip(labels, sources, strict=True)
    ]
    labels = [
        f"{label} #{labels[: i + 1].count(label)}" if labels.count(label) > 1 else label
        for i, label in enumerate(labels)
    ]
    return [
        replace(
            job,
            label=label,
            scenario=None
            if job.scenario is None
            else job.scenario.model_copy(update={"scenario": label}),
        )
        for job, label in zip(jobs, labels, strict=True)
    ]
