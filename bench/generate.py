"""Write a realistic log of a given size, with its exact expected counts.

Lines are drawn from the bundled pattern files: every pattern's samples are
the error lines (with the code each sample declares), every counter-sample is
a trap line, and ordinary SDK chatter fills the rest. Each line gets one of
the platforms' timestamp prefixes. About 3 % of lines are errors.

    python bench/generate.py 1GiB /tmp/bench.log      # writes /tmp/bench.log and /tmp/bench.log.expected.json

The expected file maps "sdk/code" to the number of error lines.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from logscan.patterns import load_patterns
from logscan.scan import Matcher, match_lines

NOISE = [
    "EMSessionManager::login(): is autoLogin? 1, id: fd2fc5d75f60a203fa4ea8df30ec6a51",
    "[EMClient] emchat manager login in process:27486 threadName:pool-11-thread-2 ID:7132",
    "[EMPushHelper] isSupportPush: FCM - false",
    "getDnsListFromServer code: 408 response:",
    "log: level: 2, area: 2, recv(): recv() failed. errno: 110: Connection timed out",
    "onDisConnect(): 1",
    "server response: status : { error_code : 0 }",
    "upload finished resultCode=0 httpCode=200",
    "connect to 47.92.1.1:6717 msgId: 1086474927425505532",
    "I/OkHttp(2211): <-- 404 Not Found https://a1.easemob.com/x (58ms)",
    "websocket onClose",
    "recv msg {type: 'txt', msg: 'hi', id: '1086474927425505532'}",
    "EaseMob | V | init: {appKey: easemob-demo#flutter, autoLogin: true, debugMode: true}",
    "ChatClient: sendMessage msgId=1714529061807 to=user_42 chatType=0",
    "[EMChatManager] fetchHistoryMessages conversationId=group_1001 pageSize=20 startMsgId=",
    "heartbeat ok, rtt 42 ms, next in 30000 ms",
]
PREFIXES = [
    lambda r: (
        f"[2024/{r.randint(1, 12)}/{r.randint(1, 28)} {r.randint(0, 23)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}:{r.randint(0, 999)}]: "
    ),
    lambda r: f"D/ONE SDK ({r.randint(1000, 30000)}): [2021/09/27 17:{r.randint(0, 59):02d}:18:054]: ",
    lambda r: (
        f"2024-05-01 10:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}.{r.randint(0, 999999):06d}+0800 App[123:4567] "
    ),
    lambda r: f"09-02 10:50:{r.randint(0, 59):02d}.{r.randint(0, 999):03d}  5446  5475 E ChatDemo: ",
    lambda r: f"[chat] 20241016-1015{r.randint(0, 59):02d}.123 ChatClient: ",
    lambda r: f"14:03:{r.randint(0, 59):02d}:{r.randint(0, 999)} IM SDK [debug]: ",
    lambda r: "",
]
_SIZE = re.compile(r"(?i)^(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$")


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise SystemExit(f"bad size {text!r}: use e.g. 100MB, 1GiB")
    unit = (m.group(2) or "b").lower()
    scale = {"b": 1, "k": 1024, "kb": 1000, "kib": 1024, "m": 1 << 20, "mb": 10**6, "mib": 1 << 20}.get(unit)
    scale = scale or {"g": 1 << 30, "gb": 10**9, "gib": 1 << 30}[unit]
    return int(float(m.group(1)) * scale)


def generate(size: int, out: Path, *, seed: int = 7, error_rate: float = 0.03) -> Counter[str]:
    rng = random.Random(seed)
    patterns = load_patterns()
    errors = [(s.line, f"{p.sdk}/{s.code}") for p in patterns for s in p.samples]
    # A counter-sample only promises not to match its own pattern: keep the
    # ones no pattern matches (the traps of sdk-logs.md are all among them).
    candidates = NOISE + [c for p in patterns for c in p.counter_samples]
    matched = set(match_lines(candidates, Matcher.build(patterns))["row"].to_list())
    traps = [line for i, line in enumerate(candidates) if i not in matched]
    counts: Counter[str] = Counter()
    written = 0
    with out.open("w", encoding="utf-8", newline="\n") as fh:
        batch: list[str] = []
        while written < size:
            if rng.random() < error_rate:
                text, key = rng.choice(errors)
                counts[key] += 1
            else:
                text = rng.choice(traps)
            line = rng.choice(PREFIXES)(rng) + text + "\n"
            batch.append(line)
            written += len(line.encode("utf-8"))
            if len(batch) >= 10000:
                fh.write("".join(batch))
                batch.clear()
        fh.write("".join(batch))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="target size, e.g. 100MB, 1GiB")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    counts = generate(parse_size(args.size), args.output, seed=args.seed)
    expected = args.output.with_name(args.output.name + ".expected.json")
    expected.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size:,} bytes, {sum(counts.values()):,} error lines)")


if __name__ == "__main__":
    main()
