"""The `hasp` program's own face: its --help against the command-line
contract (DESIGN.md), and the status line it keeps on a terminal."""
import fcntl
import os
import re
import struct
import subprocess
import sys
import termios
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import HASP, ServedTestCase  # noqa: E402

# Every option of the CLI contract, with the default --help must state.
CONTRACT_OPTIONS = {
    "--abr": "default dynamic", "--headless": None, "--fast": None, "--events": "'-': stdout",
    "--max-buffer": "default 30", "--play-buffer": "default 2", "--rebuffer": "default 0.5",
    "--start-quality": "default auto", "--log": "default all@warning",
    "--duration": "default: play to the end",
    # Extensions of the contract.
    "--skip-frame": "(default default)",
}


def hasp(*args):
    return subprocess.run([HASP] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=60)


class HelpTests(unittest.TestCase):
    def setUp(self):
        r = hasp("--help")
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stderr, "")
        self.help = r.stdout
        self.flat = " ".join(self.help.split())   # defaults may wrap across lines

    def test_every_contract_option_with_its_default(self):
        for opt, default in CONTRACT_OPTIONS.items():
            with self.subTest(option=opt):
                self.assertRegex(self.help, r"(?m)^  %s\b" % re.escape(opt))
                if default:
                    block = self.help.split("\n  " + opt, 1)[1].split("\n  --", 1)[0]
                    self.assertIn(default, " ".join(block.split()))

    def test_probe_usage_and_exit_statuses(self):
        self.assertIn("hasp probe [--json] [--segments] URL", self.help)
        self.assertRegex(self.help, r"(?m)^  --json\b")
        self.assertRegex(self.help, r"(?m)^  --segments\b")
        self.assertIn("--version", self.help)
        for status in ("0 played to the end or to --duration", "1 playback failed",
                       "2 bad usage"):
            self.assertIn(status, self.flat)

    def test_keys_of_the_window(self):
        for key in ("space pause/resume", "left/right seek 10 s", "f fullscreen",
                    "s stats overlay", "q or Esc quit"):
            self.assertIn(key, self.flat)

    def test_fits_80_columns(self):
        for line in self.help.splitlines():
            self.assertLessEqual(len(line), 80, line)


def run_on_terminal(url, *args, columns=200):
    """The player with stderr on a pseudo-terminal; returns (status, what the
    terminal received)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    proc = subprocess.Popen([HASP, "--headless"] + list(args) + [url],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:         # EIO: the player closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return proc.wait(timeout=60), out.decode(errors="replace")


STATUS = re.compile(r"^(\d+:\d\d) / (\d+:\d\d|live) \| video q(\d+|-) (\d+\.\d)s \| "
                    r"audio q(\d+|-) (\d+\.\d)s \| (\d+\.\d\d) Mbit/s \| (\d+) frames, "
                    r"(\d+) dropped( \| buffering| \| paused)?$")


class StatusLineTests(ServedTestCase):
    def test_status_line_on_a_terminal(self):
        code, out = run_on_terminal(self.url, "--duration", "3")
        self.assertEqual(code, 0, out)
        self.assertTrue(out.endswith("\r\n"), repr(out[-80:]))   # the line is ended
        lines = [l.replace("\x1b[K", "") for l in out.rstrip("\r\n").split("\r") if l]
        self.assertGreaterEqual(len(lines), 3, out)              # redrawn in place
        for line in lines:
            self.assertRegex(line, STATUS)
        last = STATUS.match(lines[-1])
        self.assertIn(last.group(1), ("0:02", "0:03"))
        self.assertEqual(last.group(2), "0:%02d" % self.media["duration_s"])
        self.assertRegex(last.group(3), r"^\d+$")          # a segment is in by then
        self.assertGreater(float(last.group(7)), 0)
        self.assertGreater(int(last.group(8)), 60)

    def test_cut_to_the_terminal_width(self):
        code, out = run_on_terminal(self.url, "--duration", "1", columns=40)
        self.assertEqual(code, 0, out)
        lines = [l.replace("\x1b[K", "") for l in out.rstrip("\r\n").split("\r") if l]
        self.assertTrue(lines, out)
        for line in lines:
            self.assertLessEqual(len(line), 39, line)

    def test_no_status_line_unless_a_terminal(self):
        for args in ([], ["--no-status"]):
            r = hasp("--headless", "--duration", "1", *args, self.url)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stderr, "")
        code, out = run_on_terminal(self.url, "--duration", "1", "--no-status")
        self.assertEqual((code, out), (0, ""))


if __name__ == "__main__":
    unittest.main()
