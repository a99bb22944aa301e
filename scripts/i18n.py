"""Page catalogues: extract the zh-CN source texts, update the English .po, compile the .mo.

The source texts (msgids) are Chinese, the pages' first language; translations/en holds the
English. Run after changing a page's text, fill the new msgstr lines, run again, commit
both the .po and the compiled .mo (installs need no build step).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "api" / "web"
POT = WEB / "translations" / "messages.pot"
PO = WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args],  # noqa: S603
                   check=True, cwd=ROOT)


def main() -> int:
    pybabel("extract", "-F", str(WEB / "babel.cfg"), "-k", "_l", "--no-location",
            "--omit-header", "--sort-output", "-o", str(POT), ".")
    if PO.exists():
        pybabel("update", "-i", str(POT), "-d", str(WEB / "translations"), "-l", "en",
                "--no-fuzzy-matching")
    else:
        pybabel("init", "-i", str(POT), "-d", str(WEB / "translations"), "-l", "en")
    pybabel("compile", "-d", str(WEB / "translations"), "--statistics")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
