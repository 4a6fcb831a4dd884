"""A program playing the test media on the test display, and what a viewer
gets from it: where the pattern's picture lands and its moving corner, and
the sine that SDL's disk audio driver wrote. Shared by the window tests and
the tests of the application's renderer. Standard library only."""
import array
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import HASP, ServedTestCase  # noqa: E402
from xdisplay import Display  # noqa: E402

SUPPRESSIONS = os.path.join(HERE, "lsan.supp")
# What media.json allows for coding loss and scaling, per channel.
COLOUR_TOLERANCE = 24


class Player:
    """A player on the test display, with an event log: `hasp` in its window,
    or program (a list: the command before its options) that takes --events."""

    def __init__(self, display, url, *args, audio_file=None, env_extra=None,
                 program=(HASP, "--no-status")):
        self.tmp = tempfile.TemporaryDirectory()
        self.events_path = os.path.join(self.tmp.name, "events.jsonl")
        env = dict(display.env, SDL_VIDEODRIVER="x11")
        # SDL's software renderer: the OpenGL one would run on Mesa's llvmpipe,
        # whose driver is unloaded before LeakSanitizer reports, so its own
        # leaks could be neither attributed nor suppressed. Same SDL texture
        # and YUV path; only the final pixel pushing differs.
        env.update(SDL_RENDER_DRIVER="software", SDL_FRAMEBUFFER_ACCELERATION="0")
        lsan = env.get("LSAN_OPTIONS", "")
        env["LSAN_OPTIONS"] = (lsan + ":" if lsan else "") + "suppressions=" + SUPPRESSIONS
        if audio_file:
            env.update(SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=audio_file)
        else:
            env["SDL_AUDIODRIVER"] = "dummy"
        env.update(env_extra or {})
        cmd = list(program) + ["--events", self.events_path] + list(args) + [url]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.stderr = ""

    def events(self):
        if not os.path.exists(self.events_path):
            return []
        with open(self.events_path) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def wait_event(self, kind, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [e for e in self.events() if e["event"] == kind]
            if found:
                return found[0]
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.finish(timeout=5)
        raise AssertionError("no %s event; stderr: %s" % (kind, self.stderr))

    def finish(self, timeout=60):
        try:
            _, self.stderr = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, self.stderr = self.proc.communicate()
            raise AssertionError("the player did not exit; stderr: " + self.stderr)
        return self.proc.returncode

    def end(self):
        ends = [e for e in self.events() if e["event"] == "end"]
        return ends[-1] if ends else None

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        self.tmp.cleanup()


class DisplayTest(ServedTestCase):
    """Tests of a program on a test display playing the DASH test stream;
    program and title (its window's) are the class's."""
    program = (HASP, "--no-status")
    title = "hasp"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.display = Display()

    @classmethod
    def tearDownClass(cls):
        cls.display.close()
        super().tearDownClass()

    def play(self, *args, **kw):
        p = Player(self.display, self.url, *args, program=self.program, **kw)
        self.addCleanup(p.close)
        return p

    def window(self):
        w = self.display.find_window(self.title)
        return w, self.display.geometry(w)

    def screenshot(self, name):
        """The screen now; kept as a PNG next to the test's output on failure."""
        img = self.display.screenshot()
        self.addCleanup(self.keep_on_failure, img, name)
        return img

    def keep_on_failure(self, img, name):
        # Cleanups run after the test; unittest's outcome then knows whether it failed.
        if not getattr(getattr(self, "_outcome", None), "success", True):
            path = os.path.join(tempfile.gettempdir(), "hasp-%s-%s.png" % (self.id(), name))
            img.save_png(path)
            print("screenshot kept in", path, file=sys.stderr)

    def check_bars(self, img, geometry):
        px, py, pw, ph = picture_rect(geometry, pattern_aspect(self.media))
        for bar in self.media["test_pattern"]["bars"]:
            # The middle half of the bar, well away from its edges.
            qw, qh = (bar["x1"] - bar["x0"]) * pw / 4, (bar["y1"] - bar["y0"]) * ph / 4
            cx, cy = px + bar["cx"] * pw, py + bar["cy"] * ph
            got = img.mean(int(cx - qw), int(cy - qh), int(cx + qw), int(cy + qh))
            for c in range(3):
                self.assertAlmostEqual(got[c], bar["rgb"][c], delta=COLOUR_TOLERANCE,
                                       msg="%s: %r, expected %r" % (bar["name"], got, bar["rgb"]))

    def audio_file(self):
        """Where the disk driver writes the sound, removed after the test."""
        path = os.path.join(tempfile.mkdtemp(prefix="hasp-audio-"), "sound.raw")
        self.addCleanup(lambda: os.path.exists(path) and os.remove(path))
        return path

    def motion(self, img, area):
        """The moving corner of the pattern (testsrc2's counter and gradient)
        shown letterboxed in area: a sample of its pixels."""
        px, py, pw, ph = picture_rect(area, pattern_aspect(self.media))
        m = self.media["test_pattern"]["motion"]
        return [img.pixel(int(px + (m["x0"] + (m["x1"] - m["x0"]) * i / 16) * pw),
                          int(py + (m["y0"] + (m["y1"] - m["y0"]) * j / 16) * ph))
                for i in range(1, 16) for j in range(1, 16)]

    def check_sound_clock(self):
        """The disk driver taking a 1024-sample buffer every 32 ms instead of
        every 21.3 ms plays the sound at 2/3 speed; with audio as the master
        clock the picture slows down with it."""
        p = self.play("--duration", "3", audio_file=self.audio_file(),
                      env_extra={"SDL_DISKAUDIODELAY": "32"})
        first = p.wait_event("first_frame")
        self.assertEqual(p.finish(), 0, p.stderr)
        end = p.end()
        self.assertAlmostEqual(end["played_s"], 3, delta=0.2)
        self.assertGreater(end["t"] - first["t"], 4.0, "the picture ran on the wall clock")

    def check_no_sound(self):
        """--no-sound opens no device: the same slow device, had it been
        opened, would stretch 3 s of playback to 4.5."""
        audio = self.audio_file()
        p = self.play("--duration", "3", "--no-sound", audio_file=audio,
                      env_extra={"SDL_DISKAUDIODELAY": "32"})
        first = p.wait_event("first_frame")
        self.assertEqual(p.finish(), 0, p.stderr)
        self.assertFalse(os.path.exists(audio), "an audio device was opened")
        end = p.end()
        self.assertAlmostEqual(end["played_s"], 3, delta=0.2)
        self.assertLess(end["t"] - first["t"], 4.0, "the picture waited for a sound clock")

    def check_sine(self, path, seconds):
        """At least seconds of the generated sine, on both channels, in the
        disk driver's file."""
        left, right = read_samples(path)
        audio = self.media["audio"]
        rate = audio["sample_rate"]
        self.assertGreater(len(left), seconds * rate, "less than %g s of sound written" % seconds)
        freq, windows = sine_frequency(left, rate)
        self.assertGreater(windows * 0.05, seconds, "less than %g s of audible sine" % seconds)
        self.assertAlmostEqual(freq, audio["sine_hz"], delta=2)
        self.assertAlmostEqual(sine_frequency(right, rate)[0], freq, delta=0.5)
        peak = max(max(left), -min(left))
        self.assertAlmostEqual(peak, audio["sine_amplitude"], delta=0.03)



def picture_rect(area, aspect):
    """Where a picture of this aspect ratio lands, letterboxed in area."""
    x, y, w, h = area
    pw, ph = w, round(w / aspect)
    if ph > h:
        pw, ph = round(h * aspect), h
    return x + (w - pw) // 2, y + (h - ph) // 2, pw, ph


def pattern_aspect(media):
    top = media["ladder"][-1]
    return top["width"] / top["height"]


def read_samples(path):
    """SDL's disk driver writes the device's format: float32 stereo here."""
    samples = array.array("f")
    with open(path, "rb") as f:
        samples.frombytes(f.read())
    if sys.byteorder != "little":
        samples.byteswap()
    return samples[0::2], samples[1::2]


def sine_frequency(signal, rate, window_s=0.05, floor=0.03):
    """Median over short windows of the frequency found from rising zero
    crossings (interpolated). Windows holding silence (the device starved
    on a busy machine) are left out, so a gap cannot bias the answer."""
    size = int(rate * window_s)
    estimates = []
    for start in range(0, len(signal) - size, size):
        w = signal[start:start + size]
        if min(abs(v) for v in (max(w), min(w))) < floor:
            continue
        crossings = [i - 1 + w[i - 1] / (w[i - 1] - w[i])
                     for i in range(1, len(w)) if w[i - 1] < 0 <= w[i]]
        if len(crossings) >= 3:
            estimates.append((len(crossings) - 1) * rate / (crossings[-1] - crossings[0]))
    return statistics.median(estimates) if estimates else math.nan, len(estimates)
