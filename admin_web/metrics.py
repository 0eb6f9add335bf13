"""Operational metrics in the Prometheus text format (version 0.0.4), written by hand.

Counters and histograms live in process memory (each replica is scraped on its own);
the gauges (open tasks, backlogs, job lag: engine/gauges.py) are read from the database at scrape time,
so every replica reports the same, current figures.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable

from aiohttp import web

from engine.gauges import Gauges

# Seconds; engine commands take milliseconds, a slow database tens to hundreds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Histogram:
    """Cumulative buckets per label value, as Prometheus expects them."""

    def __init__(self, buckets: tuple[float, ...] = BUCKETS) -> None:
        self.buckets = buckets
        self.counts: dict[str, list[int]] = defaultdict(lambda: [0] * (len(buckets) + 1))
        self.sums: dict[str, float] = defaultdict(float)

    def observe(self, label: str, seconds: float) -> None:
        self.counts[label][bisect.bisect_left(self.buckets, seconds)] += 1
        self.sums[label] += seconds

    def lines(self, name: str, label_name: str) -> list[str]:
        out = []
        for label in sorted(self.counts):
            running = 0
            for bound, count in zip((*self.buckets, float("inf")), self.counts[label], strict=True):
                running += count
                le = "+Inf" if bound == float("inf") else repr(bound)
                out.append(f'{name}_bucket{{{label_name}="{_escape(label)}",le="{le}"}} {running}')
            out.append(f'{name}_sum{{{label_name}="{_escape(label)}"}} {self.sums[label]:.6f}')
            out.append(f'{name}_count{{{label_name}="{_escape(label)}"}} {running}')
        return out


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    """The process's counters; safe to update from the event loop and the engine's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = defaultdict(int)
        self.request_seconds = Histogram()
        self.command_seconds = Histogram()
        self.started = time.time()

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1
            self.request_seconds.observe(route, seconds)

    def observe_command(self, command: str, seconds: float) -> None:
        with self._lock:
            self.command_seconds.observe(command, seconds)

    def render(self, gauges: Gauges | None) -> str:
        lines = [
            "# HELP jingwei_http_requests_total HTTP requests answered, by route template and status.",
            "# TYPE jingwei_http_requests_total counter",
        ]
        with self._lock:
            for (route, method, status), n in sorted(self.requests.items()):
                lines.append(
                    f'jingwei_http_requests_total{{route="{_escape(route)}",method="{method}",'
                    f'status="{status}"}} {n}'
                )
            lines += [
                "# HELP jingwei_http_request_seconds Time to answer an HTTP request, by route template.",
                "# TYPE jingwei_http_request_seconds histogram",
                *self.request_seconds.lines("jingwei_http_request_seconds", "route"),
                "# HELP jingwei_command_seconds Time of engine commands and queries in the thread pool.",
                "# TYPE jingwei_command_seconds histogram",
                *self.command_seconds.lines("jingwei_command_seconds", "command"),
            ]
        if gauges is not None:
            for name, help_text, value in (
                ("jingwei_open_tasks", "Tasks waiting for a decision (all replicas).", gauges.open_tasks),
                (
                    "jingwei_outbox_backlog",
                    "Outbox rows the automation relay has not dispatched.",
                    gauges.outbox_backlog,
                ),
                (
                    "jingwei_job_lag_seconds",
                    "How long the oldest due job has waited (0: none).",
                    gauges.job_lag_seconds,
                ),
                (
                    "jingwei_dead_jobs",
                    "Jobs that used up their attempts (jingwei jobs --dead).",
                    gauges.dead_jobs,
                ),
            ):
                lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge", f"{name} {value:g}"]
            lines += [
                "# HELP jingwei_feed_unsent Outbox rows a feed consumer (the notifier, …) has not handled.",
                "# TYPE jingwei_feed_unsent gauge",
                *(
                    f'jingwei_feed_unsent{{consumer="{_escape(c)}"}} {n}'
                    for c, n in sorted(gauges.unsent.items())
                ),
            ]
        lines += [
            "# HELP jingwei_process_start_time_seconds Start time of this process (Unix epoch).",
            "# TYPE jingwei_process_start_time_seconds gauge",
            f"jingwei_process_start_time_seconds {self.started:.3f}",
        ]
        return "\n".join(lines) + "\n"


def route_name(request: web.Request) -> str:
    """The route template (``/api/v1/tasks/{id}``), never the raw path: label values stay few."""
    resource = request.match_info.route.resource
    if resource is None:
        return "unmatched"
    return resource.canonical


def metrics_middleware(metrics: Metrics) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def record(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        finally:
            metrics.observe_request(
                route_name(request), request.method, status, time.perf_counter() - started
            )

    return record


__all__ = ["CONTENT_TYPE", "Histogram", "Metrics", "metrics_middleware", "route_name"]
