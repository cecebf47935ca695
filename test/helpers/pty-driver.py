#!/usr/bin/env python3
"""
Runs a command under a real pseudo-terminal and types into it, for tests of interactive
prompts (no node-pty here). Usage: pty-driver.py <script.json>

script.json: {"argv": [...], "env": {...}, "cwd": "...", "timeout": 20,
              "steps": [{"expect": "text on screen", "send": "keys"}, ...]}
Each step waits (bounded) until `expect` shows up in the output *after* the previous match
(ANSI escapes stripped), then writes `send` (use \r for Enter, \x1b[B for arrow down).
After the last step the output is read until the program exits. Prints a JSON report:
{"exitCode": n, "output": "...", "error": "..."}; exit status 0 unless the driver itself failed.
"""
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]|\r")


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        script = json.load(f)
    timeout = float(script.get("timeout", 20))
    env = dict(os.environ)
    env.update(script.get("env", {}))
    env.setdefault("TERM", "xterm-256color")
    env["COLUMNS"] = "200"
    env["LINES"] = "50"

    pid, fd = pty.fork()
    if pid == 0:
        # A wide terminal: prompts are drawn on one line each, easier to match.
        fcntl.ioctl(sys.stdout.fileno(), termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))
        if script.get("cwd"):
            os.chdir(script["cwd"])
        os.execvpe(script["argv"][0], script["argv"], env)

    raw = b""
    plain_seen = 0  # matches only count after this offset in the stripped text
    error = None
    deadline_total = time.time() + timeout * max(1, len(script["steps"]))

    def pump(wait: float) -> bool:
        """Reads what is available; False once the child closed the terminal."""
        nonlocal raw
        r, _, _ = select.select([fd], [], [], wait)
        if not r:
            return True
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        raw += chunk
        return True

    def plain() -> str:
        return ANSI.sub("", raw.decode("utf-8", errors="replace"))

    alive = True
    for step in script["steps"]:
        want = step["expect"]
        end = time.time() + timeout
        while True:
            text = plain()
            at = text.find(want, plain_seen)
            if at >= 0:
                plain_seen = at + len(want)
                break
            if not alive or time.time() > end or time.time() > deadline_total:
                error = f"timed out waiting for {want!r}" if alive else f"program ended before {want!r}"
                break
            alive = pump(0.05)
        if error:
            break
        # Let the prompt finish drawing before typing (inquirer re-renders on each key).
        time.sleep(float(step.get("delay", 0.08)))
        os.write(fd, step.get("send", "").encode("utf-8"))

    end = time.time() + timeout
    while alive and time.time() < end:
        alive = pump(0.05)
    if alive:
        os.kill(pid, signal.SIGKILL)
        error = error or "the program did not exit"
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    print(json.dumps({"exitCode": code, "output": plain(), "error": error}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
