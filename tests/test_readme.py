"""The README's tour runs as written (issue 17).

The convention: every line of a ```sh block between "## A short tour" and the next "## "
heading is a command (blank lines and `#` comment lines aside; a line ending in `\\`
continues on the next). They run in order, each with bash, in a fresh folder where the
README's relative paths hold (`src` linked into it), with `.venv/bin/` standing for the
running interpreter's bin folder. Each must exit 0, or with the status its comment names
("# exit status 1"), and show something: on standard output, in the file it redirects
to, or (for a failure) on standard error. `NAME=$(command)` lines set NAME for the lines
after them. `cabledesk serve` runs until stopped, so it is started in the background on a
free port, and the README's curl lines ask that server; `make demo` (also a server) is
the one command skipped.
"""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent
README_PORT = "127.0.0.1:8000"


def tour_commands(readme: str) -> list[str]:
    """The tour's commands, in order, each on one line."""
    tour = readme.split("\n## A short tour\n", 1)[1].split("\n## ", 1)[0]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", tour, re.DOTALL):
        pending = ""
        for raw in block.splitlines():
            line = pending + raw.strip()
            pending = ""
            if line.endswith("\\"):
                pending = line[:-1].rstrip() + " "
            elif line and not line.startswith("#"):
                commands.append(line)
    return commands


def expected_status(command: str) -> int:
    found = re.search(r"\s#\s.*\bexit status (\d+)", command)
    return int(found.group(1)) if found else 0


def redirected_to(command: str) -> str | None:
    found = re.search(r"(?<![0-9&])>\s*([\w./-]+)\s*(?:#.*)?$", command)
    return found.group(1) if found else None


class Server:
    """`cabledesk serve ...` as the README writes it, on a port the system picks."""

    def __init__(self, command: str, cwd: Path, env: dict[str, str]) -> None:
        args = shlex.split(command, comments=True)
        self.process = subprocess.Popen(
            [*args, "--port", "0"],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.address = self._banner()

    def _banner(self) -> str:
        """The address the banner names (printed once the socket listens)."""
        assert self.process.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.process.stdout], [], [], 0.5)
            if ready:
                line = self.process.stdout.readline()
                found = re.search(r"http://(127\.0\.0\.1:\d+)/", line)
                if found:
                    return found.group(1)
            if self.process.poll() is not None:
                _, err = self.process.communicate()
                raise AssertionError(f"cabledesk serve exited {self.process.returncode}: {err}")
        raise AssertionError("cabledesk serve printed no address in 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()


def run_tour(readme: str, workdir: Path) -> list[str]:
    """Run every tour command; AssertionError at the first that fails. Returns the
    commands run (as written)."""
    commands = tour_commands(readme)
    (workdir / "src").symlink_to(ROOT / "src")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "120",
    }
    server: Server | None = None
    ran: list[str] = []
    try:
        for line in commands:
            command = line.replace(".venv/bin/", f"{BIN}/")
            if line.startswith("make demo"):
                continue
            if re.match(r"\S*cabledesk serve\b", command):
                assert server is None, "the tour starts a second server"
                server = Server(command, workdir, env)
                ran.append(line)
                continue
            if README_PORT in command:
                assert server is not None, f"{line}\n  asks a server the tour has not started"
                command = command.replace(README_PORT, server.address)
            assignment = re.fullmatch(r"([A-Za-z_]\w*)=\$\((.*)\)\s*(?:#.*)?", command)
            script = assignment.group(2) if assignment else command
            result = subprocess.run(
                ["bash", "-o", "pipefail", "-c", script],
                cwd=workdir,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            said = f"{line}\n  exit status {result.returncode}\n  stderr: {result.stderr[-2000:]}"
            assert result.returncode == expected_status(line), said
            assert "Traceback" not in result.stderr, said
            if assignment:
                value = result.stdout.strip()
                assert value, f"{said}\n  set {assignment.group(1)} to nothing"
                env[assignment.group(1)] = value
            elif result.returncode != 0:
                assert result.stderr.strip(), f"{said}\n  failed without saying why"
            elif target := redirected_to(command):
                written = workdir / target
                assert written.is_file() and written.stat().st_size > 0, f"{said}\n  {target} empty"
            else:
                assert result.stdout.strip(), f"{said}\n  printed nothing"
            if line.startswith("curl "):
                json.loads(result.stdout)  # the API's answer, not an error page
            ran.append(line)
    finally:
        if server is not None:
            server.stop()
    return ran


def test_the_readme_tour_runs_as_written(tmp_path: Path) -> None:
    ran = run_tour((ROOT / "README.md").read_text(), tmp_path)
    # The tour is all there and was all run: nothing was silently left out.
    assert len(ran) >= 25
    assert sum(1 for line in ran if line.startswith("curl ")) >= 3
    assert any(" serve " in line for line in ran)
    assert any("--password-stdin" in line and " user add " in line for line in ran)
    assert any(line.startswith("TOKEN=$(") for line in ran)


def test_the_convention_reads_what_the_readme_writes() -> None:
    readme = (
        "# x\n\n```sh\nmake demo\n```\n\n## A short tour\n\nText.\n\n```sh\n"
        "# a comment\n.venv/bin/cabledesk parse a.txt   # exit status 1\n\n"
        ".venv/bin/cabledesk search 'x' \\\n    --db d > out.txt\n```\n\n"
        "```python\nprint()\n```\n\n## Documentation\n\n```sh\nnot a tour command\n```\n"
    )
    commands = tour_commands(readme)
    assert commands == [
        ".venv/bin/cabledesk parse a.txt   # exit status 1",
        ".venv/bin/cabledesk search 'x' --db d > out.txt",
    ]
    assert [expected_status(c) for c in commands] == [1, 0]
    assert [redirected_to(c) for c in commands] == [None, "out.txt"]
    assert redirected_to("printf 'x' 2>&1") is None
