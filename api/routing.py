"""URL rules that build their url_for() function when first used, not when registered.

werkzeug compiles two builder functions (ast + compile) for every rule as it is added; with
the Camunda API's few hundred routes that is most of what creating the app costs, paid by
every test and every worker process, while url_for() is used for a handful of pages. The
builder is the same function, made on the first build instead.
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    def _compile_builder(self, append_unknown: bool = True) -> Any:
        name = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: LazyBuildRule, *args: Any, **kwargs: Any) -> Any:
            real = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, real)  # later builds call werkzeug's function directly
            return real(*args, **kwargs)

        return build_on_first_use
