"""The player's window and sound, as a viewer meets them: a real window on a
virtual X server (Xvfb) showing the generated test pattern, its keys pressed
through XTEST, and its sound written by SDL's disk audio driver."""
import time
import unittest

from playing import DisplayTest
from xdisplay import HEIGHT, WIDTH, missing_tools


@unittest.skipIf(missing_tools(), "needs %s (scripts/setup.sh installs them)"
                 % " and ".join(missing_tools()))
class WindowTests(DisplayTest):
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
        self.check_sound_clock()

    def test_sound_is_the_generated_sine(self):
        audio = self.audio_file()
        # 8 s played, 4 s asked for: a loaded machine may lose the first
        # moments of sound while the device starts.
        p = self.play("--duration", "8", audio_file=audio)
        self.assertEqual(p.finish(), 0, p.stderr)
        self.check_sine(audio, 4)

    def test_no_sound_opens_no_device_and_keeps_the_wall_clock(self):
        self.check_no_sound()

    def test_a_device_that_stops_playing_does_not_stop_the_picture(self):
        # One buffer taken every 1.5 s: the device looks dead after a second,
        # and the picture goes on by the wall clock instead of crawling.
        audio = self.audio_file()
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
