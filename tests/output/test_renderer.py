"""Playback into the application's own SDL renderer (hasp_session_set_renderer),
as examples/sdl_embed.c does it: its window on a virtual X server (Xvfb), the
library's sound written by SDL's disk audio driver, the audio device the
master clock as in the library's window."""
import os
import time
import unittest

from playing import DisplayTest
from xdisplay import missing_tools

SDL_EMBED = os.environ.get("HASP_SDL_EMBED", "sdl_embed")
# examples/sdl_embed.c: a 640x400 window, the picture in its top 360 rows.
VIDEO_W, VIDEO_H = 640, 360


@unittest.skipIf(missing_tools(), "needs %s (scripts/setup.sh installs them)"
                 % " and ".join(missing_tools()))
class RendererTests(DisplayTest):
    program = (SDL_EMBED,)
    title = "sdl_embed"

    def video_area(self):
        _, (x, y, _, _) = self.window()
        return x, y, VIDEO_W, VIDEO_H

    def test_sound_is_the_generated_sine_and_the_picture_moves(self):
        audio = self.audio_file()
        # 8 s played, 4 s of sine asked for, as in the window's test.
        p = self.play("--duration", "8", audio_file=audio)
        p.wait_event("first_frame")
        time.sleep(1)
        area = self.video_area()
        self.check_bars(self.screenshot("bars"), area)
        moving = self.motion(self.screenshot("playing"), area)
        time.sleep(0.5)
        self.assertNotEqual(self.motion(self.screenshot("playing2"), area), moving,
                            "the picture in the application's window does not move")
        self.assertEqual(p.finish(), 0, p.stderr)
        self.check_sine(audio, 4)
        end = p.end()
        self.assertAlmostEqual(end["played_s"], 8, delta=0.3)
        presented = end["frames_decoded"] - end["frames_dropped"]
        self.assertGreater(presented, 8 * self.media["fps"] / 2, "most frames not presented")

    def test_video_follows_the_sound_clock(self):
        self.check_sound_clock()

    def test_no_sound_opens_no_device_and_keeps_the_wall_clock(self):
        self.check_no_sound()


if __name__ == "__main__":
    unittest.main()
