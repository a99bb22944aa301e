"""A browsable /api/v1/docs page rendered from the OpenAPI document; loads nothing external."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template_string

blp = Blueprint("api_docs", __name__)

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{{ info.title }} API</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}
code{background:#f3f3f3;padding:0 .3em}.m{display:inline-block;width:5em;font-weight:bold}
details{margin:.3em 0}pre{background:#f7f7f7;padding:.5em;overflow:auto}</style></head>
<body><h1>{{ info.title }} {{ info.version }}</h1><p>{{ info.description }}</p>
<p>机器可读文档 / machine-readable: <a href="openapi.json">openapi.json</a></p>
{% for tag in tags %}<h2>{{ tag.name }}</h2><p>{{ tag.description }}</p>
{% for path, method, op in ops if tag.name in op.get('tags', []) %}
<details><summary><span class="m">{{ method|upper }}</span><code>{{ path }}</code>
 {{ op.get('summary', '') }}</summary><p>{{ op.get('description', '') }}</p>
<pre>{{ op | tojson(indent=2) }}</pre></details>{% endfor %}{% endfor %}
</body></html>"""


@blp.get("/api/v1/docs")
def docs() -> str:
    """The API reference, one collapsible entry per operation."""
    spec: dict[str, Any] = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"] \
        .spec.to_dict()
    ops = [(path, method, op) for path, item in sorted(spec.get("paths", {}).items())
           for method, op in item.items() if isinstance(op, dict) and "responses" in op]
    return render_template_string(PAGE, info=spec["info"], tags=spec.get("tags", []), ops=ops)
