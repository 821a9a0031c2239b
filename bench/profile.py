"""`make profile PAGE=/path/`: where one request's time goes, in-process, on the bench data.

Builds the bench database at BENCH_SCALE (1 unless set) the first time, then reuses it;
signs in as the bench officer, requests the page a few times with Django's test client
(DEBUG off, the production settings), and prints the request of median total time split
into SQL, template rendering (by template), the glossary's acronym markup, crispy forms
and middleware. PROFILE_CPROFILE=1 adds cProfile's top 20 functions for that page.

The timers are wrappers put round Django's and crispy forms' own functions for the length
of the profile only (`timers`); nothing in the portal is changed for it.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .environment import bench_env, database_create, database_drop, database_exists, database_url

if TYPE_CHECKING:
    from django.test import Client

WARM_UP = 3
MEASURED = 5


@dataclass
class Profile:
    """One request's time, in milliseconds."""

    path: str
    status: int
    total_ms: float = 0.0
    handler_ms: float = 0.0  # Django's handler: the middleware chain and the view inside it
    view_ms: float = 0.0  # the view function and the rendering of its response
    queries: int = 0
    sql_ms: float = 0.0
    # Template name -> [renders, inclusive ms, own ms (less the templates it includes)]
    templates: dict[str, list[float]] = field(default_factory=lambda: defaultdict(lambda: [0, 0.0, 0.0]))
    abbr_calls: int = 0
    abbr_ms: float = 0.0
    crispy_calls: int = 0
    crispy_ms: float = 0.0

    @property
    def template_ms(self) -> float:
        return sum(own for _, _, own in self.templates.values())

    @property
    def middleware_ms(self) -> float:
        return self.handler_ms - self.view_ms

    def report(self, top: int = 10) -> str:
        """The profile as text: the parts, then the templates that took longest."""

        def share(ms: float) -> str:
            return f"{ms:8.1f} ms {ms / self.total_ms:6.1%}" if self.total_ms else f"{ms:8.1f} ms"

        lines = [
            f"{self.path} ({self.status}): one request",
            f"  total                 {share(self.total_ms)}",
            f"  SQL                   {share(self.sql_ms)}  ({self.queries} queries)",
            f"  template rendering    {share(self.template_ms)}  (own time of every template, with SQL it runs)",
            f"  glossary abbr markup  {share(self.abbr_ms)}  ({self.abbr_calls} calls)",
            f"  crispy forms          {share(self.crispy_ms)}  ({self.crispy_calls} forms, templates inside included)",
            f"  middleware            {share(self.middleware_ms)}  (Django's handler less the view: URL resolving too)",
            f"  view                  {share(self.view_ms)}  (SQL, templates and markup above are inside it)",
            f"  test client           {share(self.total_ms - self.handler_ms)}  (building the request, outside Django)",
            f"  templates, top {top} by own time (renders, own ms, ms with what they include):",
        ]
        ranked = sorted(self.templates.items(), key=lambda item: item[1][2], reverse=True)[:top]
        for name, (renders, inclusive, own) in ranked:
            lines.append(f"    {name:<52}{int(renders):>4}{own:>9.1f}{inclusive:>9.1f}")
        return "\n".join(lines)


def _timed(add: Callable[[float], None], original: Callable[..., Any]) -> Callable[..., Any]:
    """`original`, calling `add` with the milliseconds each call took (a plain function: put on
    a class, it binds as the method it stands in for did)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            add((time.perf_counter() - start) * 1000)

    return wrapper


@contextmanager
def timers(profile: Profile) -> Iterator[None]:
    """Record into `profile` while inside: wrappers round the handler, the view, the SQL
    executed, every Template.render, the `abbr` markup and crispy forms' rendering."""
    from crispy_forms.templatetags import crispy_forms_filters, crispy_forms_tags
    from django.core.handlers.base import BaseHandler
    from django.db import connection
    from django.template.base import Template
    from django.template.response import SimpleTemplateResponse

    from priorities.glossary import Abbreviations

    def add_to(name: str) -> Callable[[float], None]:
        def add(ms: float) -> None:
            setattr(profile, name, getattr(profile, name) + ms)

        return add

    def count(name: str) -> Callable[..., Any]:
        def add(ms: float) -> None:
            setattr(profile, f"{name}_ms", getattr(profile, f"{name}_ms") + ms)
            setattr(profile, f"{name}_calls", getattr(profile, f"{name}_calls") + 1)

        return add

    def sql(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        profile.queries += 1
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            profile.sql_ms += (time.perf_counter() - start) * 1000

    # Own time of a template: its render less the renders of the templates inside it.
    stack: list[float] = []
    template_render = Template.render

    def render(self: Template, context: Any) -> Any:
        stack.append(0.0)
        start = time.perf_counter()
        try:
            return template_render(self, context)
        finally:
            ms = (time.perf_counter() - start) * 1000
            inner = stack.pop()
            if stack:
                stack[-1] += ms
            entry = profile.templates[str(self.origin.template_name or self.origin.name)]
            entry[0] += 1
            entry[1] += ms
            entry[2] += ms - inner

    get_response = BaseHandler.get_response
    make_view_atomic = BaseHandler.make_view_atomic
    response_render = SimpleTemplateResponse.render

    def timed_view(self: BaseHandler, view: Callable[..., Any]) -> Callable[..., Any]:
        # Asked for the view on every request (the handler's inner function is bound once).
        return _timed(add_to("view_ms"), make_view_atomic(self, view))

    markup = Abbreviations.markup
    crispy_node = crispy_forms_tags.CrispyFormNode.render
    filters = crispy_forms_filters.register.filters
    with ExitStack() as stack_of_patches:
        enter = stack_of_patches.enter_context
        enter(_replaced(BaseHandler, "get_response", _timed(add_to("handler_ms"), get_response)))
        enter(_replaced(BaseHandler, "make_view_atomic", timed_view))
        # A TemplateResponse (the class-based views') is rendered after its view returns: the view's time too.
        enter(_replaced(SimpleTemplateResponse, "render", _timed(add_to("view_ms"), response_render)))
        enter(_replaced(Template, "render", render))
        enter(_replaced(Abbreviations, "markup", _timed(count("abbr"), markup)))
        enter(_replaced(crispy_forms_tags.CrispyFormNode, "render", _timed(count("crispy"), crispy_node)))
        # The |crispy filters too, for templates compiled from now on (compiled ones keep theirs).
        for name in ("crispy", "as_crispy_field"):
            if name in filters:
                enter(_replaced(filters, name, _timed(count("crispy"), filters[name])))
        enter(connection.execute_wrapper(sql))
        yield


@contextmanager
def _replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    """`owner.name` (an attribute, or a key of a dict) is `value` while inside."""
    is_dict = isinstance(owner, dict)
    original = owner[name] if is_dict else getattr(owner, name)
    if is_dict:
        owner[name] = value
    else:
        setattr(owner, name, value)
    try:
        yield
    finally:
        if is_dict:
            owner[name] = original
        else:
            setattr(owner, name, original)


def profile_page(client: Client, path: str) -> Profile:
    """Request `path` WARM_UP times, then MEASURED times under the timers; the profile of the
    request of median total time."""
    for _ in range(WARM_UP):
        client.get(path)
    profiles = []
    for _ in range(MEASURED):
        profile = Profile(path=path, status=0)
        with timers(profile):
            start = time.perf_counter()
            profile.status = client.get(path).status_code
            profile.total_ms = (time.perf_counter() - start) * 1000
        profiles.append(profile)
    median = statistics.median_low(p.total_ms for p in profiles)
    return next(p for p in profiles if p.total_ms == median)


def cprofile_top(client: Client, path: str, top: int = 20, sort: str = "cumulative") -> str:
    """cProfile's `top` functions by cumulative time over one request (or by `sort`:
    "tottime" ranks by own time, which the middleware's nested calls do not crowd out)."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(path)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
    return out.getvalue()


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("PAGE", "")
    if not path.startswith("/"):
        raise SystemExit("Say which page: make profile PAGE=/path/ (a path on this site, from its /).")
    scale = int(os.environ.get("BENCH_SCALE", "1"))
    url = database_url(f"profile-{scale}x")
    fresh = not database_exists(url)
    if fresh:
        database_create(url)
    os.environ.update(bench_env(url))
    import django

    django.setup()
    from django.core.management import call_command

    from . import data

    if not fresh:
        call_command("migrate", verbosity=0)  # a reused database gets what later code added
    if fresh:
        print(f"Building the bench database at {scale}x ({url}); later profiles reuse it.", file=sys.stderr)
        try:
            call_command("migrate", verbosity=0)
            data.build(scale)
        except BaseException:
            database_drop(url)  # not left half-built for the next profile to reuse
            raise
    signed_out = {url for name, url in data.pages().items() if name in data.SIGNED_OUT}
    client = data.client_for(signed_in=path not in signed_out)
    who = "signed out" if path in signed_out else f"signed in as {data.USER}"
    print(f"bench data at {scale}x ({url}), {who}")
    print(profile_page(client, path).report())
    if os.environ.get("PROFILE_CPROFILE") == "1":
        print(cprofile_top(client, path, sort=os.environ.get("PROFILE_SORT", "cumulative")))


if __name__ == "__main__":
    main()
