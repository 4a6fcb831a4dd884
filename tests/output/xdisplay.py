"""A virtual X display for the window tests: Xvfb on a free display number,
screenshots from its framebuffer, key presses through xdotool. Standard
library only; Xvfb and xdotool come from scripts/setup.sh."""
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib

WIDTH, HEIGHT = 1600, 900   # larger than the player's 1280x720 window: fullscreen shows


def missing_tools():
    return [t for t in ("Xvfb", "xdotool", "evilwm") if not shutil.which(t)]


class Display:
    """Xvfb on a display number it picks itself (-displayfd), with its screen
    memory-mapped to a file (-fbdir): that file is the X server's own picture
    of the screen, read without any extra screenshot tool. evilwm manages
    the windows, as a desktop would: fullscreen is the window manager's job."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="hasp-xvfb-")
        read_fd, write_fd = os.pipe()
        self.proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "%dx%dx24" % (WIDTH, HEIGHT),
             "-fbdir", self.dir, "-nolisten", "tcp", "-noreset"],
            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write_fd)
        with os.fdopen(read_fd) as f:
            number = f.readline().strip()
        if not number:
            self.close()
            raise RuntimeError("Xvfb did not start")
        self.name = ":" + number
        self.env = dict(os.environ, DISPLAY=self.name)
        # No frame (--bw 0): the window's geometry is the picture's. Its
        # default font is not on a bare Xvfb; "fixed" always is.
        self.wm = subprocess.Popen(["evilwm", "--bw", "0", "--fn", "fixed"], env=self.env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        if self.wm.poll() is not None:
            self.close()
            raise RuntimeError("evilwm did not start")

    def close(self):
        wm = getattr(self, "wm", None)
        if wm and wm.poll() is None:
            wm.terminate()
            wm.wait(timeout=10)
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def xdotool(self, *args):
        return subprocess.run(["xdotool"] + list(args), env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=30)

    def find_window(self, name, timeout=20):
        """The id of the window titled name, once it is mapped."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.xdotool("search", "--onlyvisible", "--name", "^%s$" % name)
            ids = r.stdout.split()
            if ids:
                return ids[0]
            time.sleep(0.1)
        raise AssertionError("no window named %r appeared" % name)

    def geometry(self, window):
        """(x, y, width, height) of a window on the screen."""
        r = self.xdotool("getwindowgeometry", "--shell", window)
        values = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
        return tuple(int(values[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))

    def key(self, window, *keys):
        """Press keys as a user would: XTEST events go to the window under
        the pointer (there is no window manager to give focus)."""
        x, y, w, h = self.geometry(window)
        self.xdotool("mousemove", str(x + w // 2), str(y + h // 2))
        r = self.xdotool("key", "--delay", "50", *keys)
        if r.returncode != 0:
            raise AssertionError("xdotool key failed: " + r.stderr)

    def screenshot(self):
        return Image.from_xwd(os.path.join(self.dir, "Xvfb_screen0"))


class Image:
    """An RGB picture read from an XWD file (Xvfb's framebuffer format)."""

    def __init__(self, width, height, rows):
        self.width, self.height, self.rows = width, height, rows

    @classmethod
    def from_xwd(cls, path):
        with open(path, "rb") as f:
            data = f.read()
        fields = struct.unpack(">25I", data[:100])
        header_size, byte_order = fields[0], fields[7]
        width, height, bpp, stride = fields[4], fields[5], fields[11], fields[12]
        masks, ncolors = fields[14:17], fields[19]
        if bpp != 32 or masks != (0xFF0000, 0xFF00, 0xFF):
            raise ValueError("unexpected XWD layout: %d bpp, masks %r" % (bpp, masks))
        start = header_size + 12 * ncolors
        fmt = "<" if byte_order == 0 else ">"
        rows = []
        for y in range(height):
            line = data[start + y * stride:start + y * stride + 4 * width]
            rows.append(struct.unpack(fmt + "%dI" % width, line))
        return cls(width, height, rows)

    def pixel(self, x, y):
        v = self.rows[y][x]
        return (v >> 16) & 255, (v >> 8) & 255, v & 255

    def mean(self, x0, y0, x1, y1):
        """The mean colour of the pixels in [x0, x1) x [y0, y1)."""
        total, n = [0, 0, 0], 0
        for y in range(y0, y1):
            for x in range(x0, x1):
                for c, v in enumerate(self.pixel(x, y)):
                    total[c] += v
                n += 1
        return tuple(t / n for t in total)

    def save_png(self, path):
        """For a person to look at when a test fails."""
        raw = bytearray()
        for y in range(self.height):
            raw.append(0)
            for x in range(self.width):
                raw += bytes(self.pixel(x, y))

        def chunk(kind, body):
            return (struct.pack(">I", len(body)) + kind + body
                    + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        with open(path, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                    + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b""))
