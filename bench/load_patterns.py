"""Time loading many user patterns (with their samples checked) and preparing the engine.

    python bench/load_patterns.py 5000

Writes N patterns (each with a sample and a counter-sample) to a temporary file and times,
in this process: loading the bundled set plus that file, and building the engine's matcher
(literal analysis included).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from logscan.match.matcher import Matcher
from logscan.match.samples import load_patterns


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    rules = [
        f"[[pattern]]\nname = 'app-{i}'\nsdk = 'native'\nplatform = 'android'\n"
        f"regex = '''\\[Mod{i}x\\] op{i} failed, err (?P<code>\\d+)'''\n"
        f"samples = [{{ line = '[Mod{i}x] op{i} failed, err 208', code = 208 }}]\n"
        f"counter_samples = ['[Mod{i}x] op{i} ok']\n"
        for i in range(count)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.toml"
        path.write_text("\n".join(rules), encoding="utf-8")
        start = time.perf_counter()
        patterns = load_patterns([path])
        loaded = time.perf_counter()
        Matcher.build(patterns)
        built = time.perf_counter()
    print(
        f"{len(patterns)} patterns: loaded with their samples in {loaded - start:.2f} s, "
        f"matcher built in {built - loaded:.2f} s, {built - start:.2f} s in all"
    )


if __name__ == "__main__":
    main()
