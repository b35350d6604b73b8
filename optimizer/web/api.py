"""The JSON API of the deal desk: routes to answers, independent of the HTTP server.

``POST /api/check`` and ``POST /api/solve`` answer with the command line's JSON
(``tierprice check|solve --format json``) once the run ends; ``POST /api/jobs``
starts one and answers at once, ``GET /api/jobs/ID`` tells its progress and, once
done, its output, ``POST /api/jobs/ID/cancel`` stops it. ``/api/runs`` is the
history (:mod:`optimizer.web.runs`), ``/api/compare`` two runs side by side
(``output.compare``), ``/api/runs/ID/workbook.xlsx`` the committee workbook
(``output.excel``). Every answer carries ``X-Tierprice-Exit-Code``: the exit code
the command line would end with. ``docs/web.md`` lists the contracts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from optimizer._version import __version__
from optimizer.errors import ScenarioError
from optimizer.web import quote
from optimizer.web.jobs import Job, Jobs
from optimizer.web.requests import parse_request, read_body, scenario_files
from optimizer.web.runs import History, record_web_run
from optimizer.web.work import EXIT, Outcome

HTTP_OF_EXIT = {0: 200, 1: 500, 2: 400, 3: 200, 4: 200, 5: 500, 130: 409}
"""HTTP status per exit code: a verdict (feasible or not) is a 200; bad input a 400."""


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, body, media type, extra headers."""

    status: int
    body: bytes
    media: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def as_json(data: Any, status: int = 200, exit_code: int | None = None) -> Answer:
    """A JSON answer (with the exit code header when given)."""
    body = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    headers = {} if exit_code is None else {"X-Tierprice-Exit-Code": str(exit_code)}
    return Answer(status, body, headers=headers)


def error(message: str, status: int, exit_code: int, problems: tuple[str, ...] = ()) -> Answer:
    """An error: the command line's message (and each problem on its own)."""
    data: dict[str, Any] = {"exit_code": exit_code, "error": message}
    if problems:
        data["problems"] = list(problems)
    return as_json(data, status, exit_code)


def invalid(err: ScenarioError) -> Answer:
    """Bad input: 400, exit code 2, the CLI's message."""
    return error(str(err), 400, EXIT["invalid"], tuple(str(i) for i in err.issues))


def outcome_answer(outcome: Outcome, run_id: str | None = None) -> Answer:
    """A finished command: its JSON as the CLI prints it, or its error."""
    status = HTTP_OF_EXIT.get(outcome.exit_code, 500)
    headers = {"X-Tierprice-Exit-Code": str(outcome.exit_code)}
    if run_id is not None:
        headers["X-Tierprice-Run"] = run_id
    if outcome.output:
        return Answer(status, outcome.output.encode("utf-8"), headers=headers)
    if status == 200:  # exit code 4 without a result: a solver error, or stopped
        status = 502
    answer = error(outcome.error, status, outcome.exit_code, outcome.problems)
    return Answer(answer.status, answer.body, headers={**answer.headers, **headers})


class DeskApi:
    """The API of one server: its folder, its jobs and its history."""

    def __init__(
        self, folder: Path, time_limit: float, workers: int = 2, db: Path | None = None
    ) -> None:
        self.folder = folder
        self.db = db
        """The run history every finished check and solve is also written to (None: off)."""
        self.history = History()
        self.run_of_job: dict[str, str] = {}
        self.jobs = Jobs(time_limit, workers, self._record)

    def _record(self, job: Job) -> None:
        out = job.outcome
        assert out is not None
        if out.exit_code in (EXIT["invalid"],) or job.state == "cancelled":
            return
        run = self.history.record(
            job.request.describe(),
            out.exit_code,
            out.output,
            out.error,
            out.result,
            job.elapsed(),
            out.scenario,
        )
        self.run_of_job[job.id] = run.id
        if self.db is not None and out.scenario is not None and out.output:
            record_web_run(self.db, job.request, out)

    def info(self) -> Answer:
        """``GET /api/info``: version, folder, scenarios, the server's time limit."""
        return as_json(
            {
                "version": __version__,
                "folder": str(self.folder),
                "scenarios": scenario_files(self.folder),
                "time_limit": self.jobs.time_limit,
                "workers": self.jobs.workers,
                "quote": quote.available(),
            }
        )

    def describe(self, raw: bytes) -> Answer:
        """``POST /api/scenario``: a scenario's categories, tiers and variants (no solve)."""
        from optimizer.web.work import load

        try:
            request = parse_request("check", read_body(raw), self.folder)
            scenario = load(request)
        except ScenarioError as err:
            return invalid(err)
        return as_json(
            {
                "file": request.source,
                "scenario": scenario.scenario,
                "currency": scenario.currency,
                "variants": sorted(scenario.variants),
                "categories": [
                    {
                        "name": c.name,
                        "pricing_model": str(c.pricing),
                        "tiers": [t.name for t in c.tiers],
                    }
                    for c in scenario.categories
                ],
            }
        )

    def start(self, command: str, raw: bytes) -> tuple[Job | None, Answer | None]:
        """Start a job, or the answer to bad input."""
        try:
            data = read_body(raw)
            if command == "job":
                command = str(data.pop("command", ""))
            request = parse_request(command, data, self.folder)
            return self.jobs.start(request), None
        except ScenarioError as err:
            return None, invalid(err)
        except RuntimeError as err:
            return None, error(str(err), 503, EXIT["unexpected"])

    def run(self, command: str, raw: bytes) -> Answer:
        """``POST /api/check`` and ``/api/solve``: the command's JSON once it ends."""
        job, answer = self.start(command, raw)
        if job is None:
            assert answer is not None
            return answer
        job.finished.wait()
        assert job.outcome is not None
        return outcome_answer(job.outcome, self.run_of_job.get(job.id))

    def job(self, job_id: str, cancel: bool = False) -> Answer:
        """``GET /api/jobs/ID`` (progress, then the output) and ``POST .../cancel``."""
        job = self.jobs.get(job_id)
        if job is None:
            return error(f"no job {job_id!r}", 404, EXIT["invalid"])
        if cancel:
            self.jobs.cancel(job)
            job.finished.wait(10)
        data = job.status()
        out = job.outcome
        if out is not None and job.finished.is_set():
            data["run"] = self.run_of_job.get(job.id)
            data["output"] = json.loads(out.output) if out.output else None
            data["error"] = out.error
            data["problems"] = list(out.problems)
            data["notes"] = list(out.notes)
            return as_json(data, exit_code=out.exit_code)  # docs/web.md: every answer
        return as_json(data)

    def runs(self) -> Answer:
        """``GET /api/runs``: the history, oldest first."""
        return as_json({"runs": [r.summary() for r in self.history.runs()]})

    def run_detail(self, run_id: str, part: str = "") -> Answer:
        """``GET /api/runs/ID`` (summary and output), ``.../workbook.xlsx``, ``.../quote``."""
        run = self.history.get(run_id)
        if run is None:
            return error(f"no run {run_id!r}", 404, EXIT["invalid"])
        if part == "":
            output = json.loads(run.output) if run.output else None
            return as_json({**run.summary(), "output": output})
        if run.result is None or run.result.totals is None:
            return error(f"run {run_id} has no solved deal to download", 404, run.exit_code)
        if part == "workbook.xlsx":  # the workbook of --format xlsx, inputs sheet and all
            from optimizer.output.excel_sheets import results_book

            name = f"attachment; filename=tierprice-{run_id}.xlsx"
            media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            scenarios = [run.scenario] if run.scenario is not None else []
            body = results_book([run.result], scenarios)
            return Answer(200, body, media, {"Content-Disposition": name})
        if part == "quote":
            try:
                body, media, filename = quote.quote(run.result, run.scenario)
            except quote.QuoteUnavailableError as err:
                return error(str(err), 404, run.exit_code)
            return Answer(
                200, body, media, {"Content-Disposition": f"attachment; filename={filename}"}
            )
        return error(f"no such download: {part!r}", 404, EXIT["invalid"])

    def compare(self, base_id: str, other_id: str) -> Answer:
        """``GET /api/compare?base=ID&run=ID``: two runs as ``tierprice compare`` shows."""
        from optimizer.output.compare import Comparison, comparison_text

        runs = [self.history.get(i) for i in (base_id, other_id)]
        missing = [i for i, r in zip((base_id, other_id), runs, strict=True) if r is None]
        if missing:
            return error(f"no run {missing[0]!r}", 404, EXIT["invalid"])
        results = [
            replace(r.result, scenario=f"{r.id}: {r.result.scenario}")
            for r in runs
            if r is not None and r.result is not None
        ]
        if len(results) != 2:
            return error("a run without a result cannot be compared", 400, EXIT["invalid"])
        try:
            comp = Comparison(tuple(results))
        except ScenarioError as err:
            return invalid(err)
        return as_json({"text": comparison_text(comp), "rows": comp.rows()})
