"""The player's window and sound, as a viewer meets them: a real window on a
virtual X server (Xvfb) showing the generated test pattern, its keys pressed
through XTEST, and its sound written by SDL's disk audio driver."""
import array
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
from harness import HASP, media_info, server  # noqa: E402
from xdisplay import Display, HEIGHT, WIDTH, missing_tools  # noqa: E402

SUPPRESSIONS = os.path.join(HERE, "lsan.supp")
# What media.json allows for coding loss and scaling, per channel.
COLOUR_TOLERANCE = 24


class Player:
    """`hasp` in a window on the test display, with an event log."""

    def __init__(self, display, url, *args, audio_file=None, env_extra=None):
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
        cmd = [HASP, "--no-status", "--events", self.events_path] + list(args) + [url]
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


def picture_rect(window, aspect):
    """Where a picture of this aspect ratio lands, letterboxed in the window."""
    x, y, w, h = window
    pw, ph = w, round(w / aspect)
    if ph > h:
        pw, ph = round(h * aspect), h
    return x + (w - pw) // 2, y + (h - ph) // 2, pw, ph


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


@unittest.skipIf(missing_tools(), "needs %s (scripts/setup.sh installs them)"
                 % " and ".join(missing_tools()))
class WindowTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.media = media_info()
        cls.display = Display()
        cls.server_cm = server()
        cls.base = cls.server_cm.__enter__()
        cls.url = cls.base + "/dash-number/manifest.mpd"

    @classmethod
    def tearDownClass(cls):
        cls.server_cm.__exit__(None, None, None)
        cls.display.close()

    def play(self, *args, **kw):
        p = Player(self.display, self.url, *args, **kw)
        self.addCleanup(p.close)
        return p

    def window(self):
        w = self.display.find_window("hasp")
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
        aspect = self.media["ladder"][-1]["width"] / self.media["ladder"][-1]["height"]
        px, py, pw, ph = picture_rect(geometry, aspect)
        for bar in self.media["test_pattern"]["bars"]:
            # The middle half of the bar, well away from its edges.
            qw, qh = (bar["x1"] - bar["x0"]) * pw / 4, (bar["y1"] - bar["y0"]) * ph / 4
            cx, cy = px + bar["cx"] * pw, py + bar["cy"] * ph
            got = img.mean(int(cx - qw), int(cy - qh), int(cx + qw), int(cy + qh))
            for c in range(3):
                self.assertAlmostEqual(got[c], bar["rgb"][c], delta=COLOUR_TOLERANCE,
                                       msg="%s: %r, expected %r" % (bar["name"], got, bar["rgb"]))

    def motion(self, img, geometry):
        """The moving corner of the pattern (testsrc2's counter and gradient)."""
        aspect = self.media["ladder"][-1]["width"] / self.media["ladder"][-1]["height"]
        px, py, pw, ph = picture_rect(geometry, aspect)
        m = self.media["test_pattern"]["motion"]
        return [img.pixel(int(px + (m["x0"] + (m["x1"] - m["x0"]) * i / 16) * pw),
                          int(py + (m["y0"] + (m["y1"] - m["y0"]) * j / 16) * ph))
                for i in range(1, 16) for j in range(1, 16)]

    def test_window_shows_the_colour_bars(self):
        # The top quality, 720p: what players guess from the height is BT.709,
        # while the stream is tagged BT.601; the bars tell which was used.
        p = self.play("--duration", "5", "--start-quality", "max", "--log", "output@debug")
        p.wait_event("first_frame")
        time.sleep(1.5)
        _, geometry = self.window()
        self.check_bars(self.screenshot("bars"), geometry)
        self.assertEqual(p.finish(), 0, p.stderr)
        self.assertAlmostEqual(p.end()["played_s"], 5, delta=0.3)
        # Decoded YUV 4:2:0 goes to an IYUV texture as it is, no conversion.
        self.assertIn("texture 1280x720 SDL_PIXELFORMAT_IYUV", p.stderr)

    def test_video_follows_the_sound_clock(self):
        # The disk driver takes a 1024-sample buffer every 32 ms instead of
        # every 21.3 ms: the sound plays at 2/3 speed, and with audio as the
        # master clock the picture slows down with it.
        audio = os.path.join(tempfile.mkdtemp(prefix="hasp-audio-"), "sound.raw")
        self.addCleanup(lambda: os.path.exists(audio) and os.remove(audio))
        p = self.play("--duration", "3", audio_file=audio,
                      env_extra={"SDL_DISKAUDIODELAY": "32"})
        first = p.wait_event("first_frame")
        self.assertEqual(p.finish(), 0, p.stderr)
        end = p.end()
        self.assertAlmostEqual(end["played_s"], 3, delta=0.2)
        self.assertGreater(end["t"] - first["t"], 4.0, "the picture ran on the wall clock")

    def test_sound_is_the_generated_sine(self):
        audio = os.path.join(tempfile.mkdtemp(prefix="hasp-audio-"), "sound.raw")
        self.addCleanup(lambda: os.path.exists(audio) and os.remove(audio))
        # 8 s played, 4 s asked for: a loaded machine may lose the first
        # moments of sound while the device starts.
        p = self.play("--duration", "8", audio_file=audio)
        self.assertEqual(p.finish(), 0, p.stderr)
        left, right = read_samples(audio)
        rate = self.media["audio"]["sample_rate"]
        self.assertGreater(len(left), 4 * rate, "less than 4 s of sound written")
        freq, windows = sine_frequency(left, rate)
        self.assertGreater(windows * 0.05, 4, "less than 4 s of audible sine")
        self.assertAlmostEqual(freq, self.media["audio"]["sine_hz"], delta=2)
        self.assertAlmostEqual(sine_frequency(right, rate)[0], freq, delta=0.5)
        peak = max(max(left), -min(left))
        self.assertAlmostEqual(peak, self.media["audio"]["sine_amplitude"], delta=0.03)

    def test_a_device_that_stops_playing_does_not_stop_the_picture(self):
        # One buffer taken every 1.5 s: the device looks dead after a second,
        # and the picture goes on by the wall clock instead of crawling.
        audio = os.path.join(tempfile.mkdtemp(prefix="hasp-audio-"), "sound.raw")
        self.addCleanup(lambda: os.path.exists(audio) and os.remove(audio))
        p = self.play("--duration", "3", audio_file=audio,
                      env_extra={"SDL_DISKAUDIODELAY": "1500"})
        first = p.wait_event("first_frame")
        self.assertEqual(p.finish(), 0, p.stderr)
        self.assertIn("the sound device does not play", p.stderr)
        end = p.end()
        self.assertAlmostEqual(end["played_s"], 3, delta=0.2)
        self.assertLess(end["t"] - first["t"], 6, "the picture waited for a dead device")

    def test_space_pauses_and_q_quits(self):
        p = self.play()
        p.wait_event("first_frame")
        time.sleep(1)
        window, geometry = self.window()
        playing = self.motion(self.screenshot("playing"), geometry)
        time.sleep(0.5)
        self.assertNotEqual(self.motion(self.screenshot("playing2"), geometry), playing,
                            "the picture does not move while playing")
        self.display.key(window, "space")
        time.sleep(0.5)
        paused = self.motion(self.screenshot("paused"), geometry)
        time.sleep(2)
        self.assertEqual(self.motion(self.screenshot("paused2"), geometry), paused,
                         "the picture moves while paused")
        self.display.key(window, "q")
        self.assertEqual(p.finish(), 0, p.stderr)
        first = [e for e in p.events() if e["event"] == "first_frame"][0]
        end = p.end()
        # About 1.5 s of media in more than 4 s: the position stood still.
        self.assertGreater(end["t"] - first["t"], 4)
        self.assertLess(end["played_s"], 2.5)

    def test_arrows_seek_and_escape_quits(self):
        p = self.play()
        p.wait_event("first_frame")
        window, _ = self.window()
        self.display.key(window, "Right")
        time.sleep(1.5)
        self.display.key(window, "Escape")
        self.assertEqual(p.finish(), 0, p.stderr)
        self.assertGreaterEqual(p.end()["position"], 10.5, "right arrow: no 10 s seek")

        p = self.play()
        p.wait_event("first_frame")
        window, _ = self.window()
        self.display.key(window, "Right")
        time.sleep(1.5)
        self.display.key(window, "Left")
        time.sleep(1)
        self.display.key(window, "q")
        self.assertEqual(p.finish(), 0, p.stderr)
        self.assertLess(p.end()["position"], 5, "left arrow: no 10 s seek back")

    def test_stats_overlay_and_fullscreen(self):
        p = self.play()
        p.wait_event("first_frame")
        window, geometry = self.window()
        # Top-left: the grey and yellow 75% bars, never brighter than ~195,
        # until the overlay writes its near-white text there.
        def bright(img):
            x, y = geometry[0], geometry[1]
            return sum(1 for yy in range(y, y + 150) for xx in range(x, x + 450)
                       if min(img.pixel(xx, yy)) >= 225)
        self.assertEqual(bright(self.screenshot("no-overlay")), 0)
        self.display.key(window, "s")
        time.sleep(1)
        self.assertGreater(bright(self.screenshot("overlay")), 500, "no overlay text")
        self.display.key(window, "s", "f")
        time.sleep(1.5)
        full = self.display.geometry(window)
        self.assertEqual(full, (0, 0, WIDTH, HEIGHT), "f: not fullscreen")
        img = self.screenshot("fullscreen")
        self.check_bars(img, full)
        self.assertEqual(bright(img), 0, "s again: the overlay stays")
        self.display.key(window, "q")
        self.assertEqual(p.finish(), 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
