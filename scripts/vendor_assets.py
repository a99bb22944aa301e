"""Copy the pinned browser libraries from node_modules into api/web/static/vendor/ (committed).

Run after `npm ci` (or as `npm run vendor`); the pages then load everything from VocFlow
itself, with no other site named anywhere (government intranets have no internet).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "api" / "web" / "static" / "vendor"

# package -> files (relative to the package) copied flat under vendor/<package>/.
FILES: dict[str, tuple[str, ...]] = {
    "htmx.org": ("dist/htmx.min.js",),
    "bpmn-js": (
        "dist/bpmn-navigated-viewer.production.min.js",
        "dist/assets/diagram-js.css",
        "dist/assets/bpmn-js.css",
        "dist/assets/bpmn-font/css/bpmn.css",
        "dist/assets/bpmn-font/font/bpmn.woff2",
        "dist/assets/bpmn-font/font/bpmn.woff",
    ),
    "echarts": ("dist/echarts.min.js",),
}


def copy_all() -> list[str]:
    """Copy every listed file; return lines 'package version file' for VERSIONS.txt."""
    lines = []
    for package, paths in FILES.items():
        meta = json.loads((MODULES / package / "package.json").read_text(encoding="utf-8"))
        for rel in paths:
            source = MODULES / package / rel
            # bpmn.css names its font as ../font/bpmn.woff2: keep that shape.
            target = VENDOR / package / rel.removeprefix("dist/").removeprefix("assets/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            lines.append(f"{package} {meta['version']} {target.relative_to(VENDOR)}")
    return lines


def main() -> int:
    if not MODULES.is_dir():
        print("node_modules is missing: run `npm ci` first", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    lines = copy_all()
    (VENDOR / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
