"""Write a realistic log of a given size, with its exact expected counts.

The lines are the bundled shapes: the lines of every file in `sample_logs/`
(each tagged event or not by `tests/expected/sample_events.json`, the truth
written when the samples were made), every pattern's samples (error lines with
the code they declare) and counter-samples, plus the traps of sdk-logs.md.
About 3 % of the lines written are error lines; of the rest, `--trap-share`
(default 15 %) are traps and the others ordinary lines of the sample logs.

`--profile dense` is a failure storm: 10 % error lines, 25 % traps, and noise of
the kinds that make real logs heavy: long Web message objects, Java stack traces,
msync dumps (each with ids of its own), CRLF line ends. `--user-share 0.01` adds,
for each of the twenty user patterns of `bench/user_patterns.py`, ~1 % of lines
it matches (their counts are in the expected file, under the patterns' codes).

    python bench/generate.py 1GiB /tmp/bench.log    # also writes /tmp/bench.log.expected.json
    python bench/generate.py 1GiB /tmp/dense.log --profile dense
    python bench/generate.py 1GB /tmp/small --files 10000   # 10,000 files of 100 KB in /tmp/small/

The expected file maps "sdk/code" to its number of error lines.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import user_patterns  # noqa: E402

from logscan.inputs import Source, iter_sources  # noqa: E402
from logscan.match.matcher import Matcher, match_lines  # noqa: E402
from logscan.match.samples import load_patterns  # noqa: E402

TRAPS = [
    "[2017/3/1 9:59:52:664]: getDnsListFromServer code: 408 response:",
    "[2017/3/1 19:30:28:214]: log: level: 2, area: 2, recv(): recv() failed. errno: 110: Connection timed out",
    "[2017/3/1 19:30:28:215]: onDisConnect(): 1",
    "[2021/09/27 17:03:18:070]: server response: status : { error_code : 0 }",
    "2024-05-01 10:00:00.123456+0800 App[123:4567] upload finished resultCode=0 httpCode=200",
    "I/OkHttp(2211): <-- 404 Not Found https://a1.easemob.com/x/y (58ms)",
    "[2021/09/27 17:03:19:100]: connect to 47.92.1.1:6717 msgId: 1086474927425505532",
    "14:03:08:12 IM SDK [debug]: recv msg {type: 'txt', msg: 'hi', id: '1086474927425505532'}",
    '{"error":"auth_bad_access_token","timestamp":1542350943210,"duration":0,"exception":"x","error_description":"y"}',
    "createGroup fail!errorDescription:group name too long",
    "\tat com.hyphenate.chat.EMClient.login(EMClient.java:412)",
    "(Filename: ./Runtime/Export/Debug/Debug.bindings.h Line: 35)",
]
_SIZE = re.compile(r"(?i)^(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib)?$")
_UNITS = {"b": 1, "kb": 10**3, "kib": 1 << 10, "mb": 10**6, "mib": 1 << 20, "gb": 10**9, "gib": 1 << 30}


def parse_size(text: str) -> int:
    m = _SIZE.match(text.strip())
    if not m:
        raise SystemExit(f"bad size {text!r}: use e.g. 100MB, 1GiB")
    return int(float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()])


def sample_lines() -> tuple[list[tuple[str, str]], list[str]]:
    """(error line, "sdk/code") pairs and ordinary lines of the sample logs, by their truth."""
    truth = json.loads((ROOT / "tests" / "expected" / "sample_events.json").read_text(encoding="utf-8"))
    samples = ROOT / "sample_logs"
    errors, ordinary = [], []
    for item in iter_sources([samples]):
        if not isinstance(item, Source):
            continue
        key = item.name.removeprefix(f"{samples}/")
        events = {line: f"{sdk}/{code}" for line, sdk, code in truth.get(key, [])}
        with item.open() as fh:
            text = fh.read().decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), 1):
            if number in events:
                errors.append((line, events[number]))
            elif line.strip():
                ordinary.append(line)
    return errors, ordinary


def _noise(rng: random.Random) -> str:
    """A heavy line of a failure storm's log, with ids of its own (no pattern matches it)."""
    n = rng.randrange(10**17, 10**18)
    kind = rng.randrange(3)
    if kind == 0:  # a Web message object, as the SDK's debug logger prints it
        body = ", ".join(f"ext_{k}: '{rng.randrange(10**9)}'" for k in range(rng.randrange(4, 16)))
        return (
            f"14:03:{rng.randrange(60):02d}:{rng.randrange(1000)} IM SDK [debug]: receive message "
            f"{{id: '{n}', type: 'txt', msg: 'shift {rng.randrange(99)} update', to: 'dispatch_{n % 97}', "
            f"from: 'yard_{n % 89}', chatType: 'singleChat', time: {n // 10**5}, {body}}}"
        )
    if kind == 1:  # an msync dump of the core log
        return (
            f"{{ verison : MSYNC_V1, command : SYNC, payload : {{ status : {{ error_code : 0 }}, metas : [ "
            f"{{ id : {n}, timestamp : {n // 10**5}, ns : CHAT, payload : {{ chattype : CHAT, from : u{n % 83}, "
            f"to : u{n % 79}, contents : [ {{ contenttype : TEXT, text : ok {rng.randrange(99)} }} ] }} }} ], "
            f"next_key : {n + 1}, queue : u{n % 83}, timestamp : {n // 10**5 + 86} }} }}"
        )
    return f"W/System.err(27486): \tat com.hyphenate.chat.EMChatManager.m{n % 997}(EMChatManager.java:{n % 2000})"


PROFILES = {
    "sparse": {},
    "dense": {"error_rate": 0.10, "trap_share": 0.25, "noise_share": 0.15, "crlf": True},
}


def generate(
    size: int,
    out: Path,
    *,
    seed: int = 7,
    error_rate: float = 0.03,
    trap_share: float = 0.15,
    noise_share: float = 0.0,
    user_share: float = 0.0,
    crlf: bool = False,
    files: int = 0,
) -> Counter[str]:
    """Write ``size`` bytes of log to ``out``; with ``files``, as that many files in the directory ``out``."""
    rng = random.Random(seed)
    patterns = load_patterns()
    errors, ordinary = sample_lines()
    errors += [(s.line, f"{p.sdk}/{s.code}") for p in patterns for s in p.samples]
    # A counter-sample only promises not to match its own pattern: keep those no pattern matches.
    candidates = TRAPS + [c for p in patterns for c in p.counter_samples]
    matched = set(match_lines(candidates, Matcher.build(patterns))["row"].to_list())
    traps = [line for i, line in enumerate(candidates) if i not in matched]
    noise = [_noise(rng) for _ in range(5000)]
    noise = [
        noise[i]
        for i in sorted(
            set(range(len(noise))) - set(match_lines(noise, Matcher.build(patterns))["row"].to_list())
        )
    ]
    users = len(user_patterns.MODULES)
    counts: Counter[str] = Counter()
    end = "\r\n" if crlf else "\n"

    def line() -> str:
        roll = rng.random()
        if roll < user_share * users:
            code = rng.choice((208, 300, 500, 603))
            counts[f"native/{code}"] += 1
            return user_patterns.line(rng.randrange(users), code)
        roll = rng.random()
        if roll < error_rate:
            text, key = rng.choice(errors)
            counts[key] += 1
            return text
        if roll < error_rate + trap_share * (1 - error_rate):
            return rng.choice(traps)
        if roll < error_rate + (trap_share + noise_share) * (1 - error_rate):
            return rng.choice(noise)
        return rng.choice(ordinary)

    def write(path: Path, size: int) -> None:
        written = 0
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            batch: list[str] = []
            while written < size:
                text = line()
                batch.append(text + end)
                written += len(text.encode("utf-8")) + len(end)
                if len(batch) >= 10000:
                    fh.write("".join(batch))
                    batch.clear()
            fh.write("".join(batch))

    if not files:
        write(out, size)
        return counts
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise ValueError(f"{out} is not empty: its files would be counted with the new ones")
    width = len(str(files - 1))
    for i in range(files):
        write(out / f"device-{i:0{width}d}.log", size // files)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", help="target size, e.g. 100MB, 1GiB")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="sparse")
    parser.add_argument("--error-rate", type=float, help="share of error lines (sparse 0.03, dense 0.10)")
    parser.add_argument("--trap-share", type=float, help="share of traps among the other lines (0.15, 0.25)")
    parser.add_argument(
        "--user-share", type=float, default=0.0, help="share of lines for each of the 20 user patterns"
    )
    parser.add_argument(
        "--files", type=int, default=0, help="write a directory of this many files of SIZE/FILES each"
    )
    args = parser.parse_args()
    try:
        profile: dict = dict(PROFILES[args.profile])
        for key in ("error_rate", "trap_share"):
            if getattr(args, key) is not None:
                profile[key] = getattr(args, key)
        counts = generate(
            parse_size(args.size),
            args.output,
            seed=args.seed,
            user_share=args.user_share,
            files=args.files,
            **profile,
        )
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    expected = args.output.with_name(args.output.name + ".expected.json")
    expected.write_text(json.dumps(dict(sorted(counts.items())), indent=1) + "\n", encoding="utf-8")
    written = (
        sum(p.stat().st_size for p in args.output.iterdir()) if args.files else args.output.stat().st_size
    )
    print(f"wrote {args.output} ({written:,} bytes, {sum(counts.values()):,} error lines)")


if __name__ == "__main__":
    main()
