#!/usr/bin/env python3
"""The HTML report in a real browser: headless Chromium driven by Selenium.

For each sample's message page and for the cohort page of samples/: no
console errors; the SVG's segment rectangles sit where the times say;
clicking the number span seeks the player to the number's start; sorting
the cohort by score reorders the rows; a file's row opens its timeline; a
hostile file name runs nothing; screenshots at 1280x800 and 390 px wide hold
the verdict colours where the segments are (saved under the build dir).

Needs the Debian packages chromium, chromium-driver and python3-selenium
(tools/bootstrap installs them).  Without Chromium or its driver every check
is skipped (exit 77); anything else that goes wrong fails.

usage: test_browser.py --vmcheck PATH --samples DIR
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "cli"))

try:
    import selenium  # noqa: F401
except ImportError:
    # Debian's python3-selenium lives in the system Python; meson may have
    # found another python3 first
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("VMCHECK_BROWSER_REEXEC"):
        os.environ["VMCHECK_BROWSER_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

import harness  # noqa: E402
from harness import CheckFailed, R, check, expect  # noqa: E402

OK_RGB = (0x00, 0x72, 0xB2)
FAST_RGB = [(0xD5, 0x5E, 0x00), (0x8F, 0x3F, 0x00)]  # the fill and its hatch


def find_browser():
    for b in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(b)
        if p:
            break
    else:
        return None, None
    d = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else None)
    return p, d


def start(browser, driver):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    o = Options()
    o.binary_location = browser
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio",
              "--force-device-scale-factor=1", "--hide-scrollbars"):
        o.add_argument(a)
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=o)


def wider_than_window(d):
    """The elements that stick out of the window sideways (none, or the page scrolls)."""
    time.sleep(0.2)
    return d.execute_script(
        "var w=document.documentElement.clientWidth,o=[];"
        "if(document.documentElement.scrollWidth<=w+1)return o;"
        "document.querySelectorAll('body *').forEach(function(e){var r=e.getBoundingClientRect();"
        "if(r.right>w+1)o.push(e.tagName+'.'+e.getAttribute('class')+' to '+Math.round(r.right)+' px');});"
        "return o.slice(-6);")


def console_errors(d):
    return [e for e in d.get_log("browser") if e.get("level") == "SEVERE"]


def read_png(data):
    """RGB(A) pixels of a PNG from Chromium (8-bit, no interlace): (w, h, channels, rows)."""
    expect(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, w = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", body)
            expect(depth == 8 and ctype in (2, 6) and inter == 0, "PNG kind %d/%d/%d" % (depth, ctype, inter))
            ch = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * ch
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - ch] if x >= ch else 0
            b = prev[x]
            c = prev[x - ch] if x >= ch else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, ch, rows


def pixel(img, x, y):
    w, h, ch, rows = img
    x, y = max(0, min(w - 1, int(x))), max(0, min(h - 1, int(y)))
    return tuple(rows[y][x * ch:x * ch + 3])


def near(c, ref, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(c, ref))


def make_pages(tmp):
    pages = {}
    for n in harness.SAMPLE_NAMES:
        p = os.path.join(tmp, n + ".html")
        r = harness.run(["-q", "--html", p, os.path.join(harness.SAMPLES, n + ".wav")])
        expect(r.rc in (0, 1) and os.path.isfile(p), r.describe())
        pages[n] = p
    p = os.path.join(tmp, "cohort.html")
    r = harness.run(["-q", "--html", p, harness.SAMPLES])
    expect(r.rc in (0, 1) and os.path.isfile(p), r.describe())
    pages["cohort"] = p
    hostile = os.path.join(tmp, "<img src=x onerror=window.__pwned=1>.wav")
    shutil.copy(os.path.join(harness.SAMPLES, "good.wav"), hostile)
    p = os.path.join(tmp, "hostile.html")
    r = harness.run(["-q", "--html", p, hostile])
    expect(r.rc in (0, 1), r.describe())
    pages["hostile"] = p
    return pages


GEOMETRY_JS = """
var svg = document.querySelector('svg.tl'), box = svg.getBoundingClientRect();
var d = parseFloat(svg.getAttribute('data-duration')), out = [];
svg.querySelectorAll('g.segment rect, g.flagspan rect, rect.pause').forEach(function (r) {
  var b = r.getBoundingClientRect();
  out.push({kind: r.parentNode.getAttribute('data-kind') || r.getAttribute('class'),
            verdict: r.parentNode.getAttribute('data-verdict'),
            start: parseFloat(r.getAttribute('data-start')), end: parseFloat(r.getAttribute('data-end')),
            left: b.left, right: b.right, top: b.top, bottom: b.bottom});
});
return {svgLeft: box.left, svgWidth: box.width, duration: d, spans: out};
"""


def check_geometry(d):
    g = d.execute_script(GEOMETRY_JS)
    expect(g["spans"], "no spans in the timeline")
    for s in g["spans"]:
        x0 = g["svgLeft"] + g["svgWidth"] * s["start"] / g["duration"]
        x1 = g["svgLeft"] + g["svgWidth"] * s["end"] / g["duration"]
        expect(abs(s["left"] - x0) < 1.5 and abs(s["right"] - x1) < 1.5,
               "%s %.2f-%.2f s drawn at %.1f-%.1f px, expected %.1f-%.1f" % (s["kind"], s["start"], s["end"],
                                                                             s["left"], s["right"], x0, x1))
    return g


def message_checks(d, name, page, shots):
    def load():
        d.set_window_size(1280, 800)
        d.get("file://" + page)
        d.get_log("browser")  # drop what came before
        d.refresh()
        time.sleep(0.3)
        errs = console_errors(d)
        expect(not errs, "console errors: %r" % errs)
        check_geometry(d)
    check("%s: loads without console errors; spans where the times say (1280 px)" % name, load)

    def seek():
        from selenium.webdriver.common.by import By
        num = d.find_elements(By.CSS_SELECTOR, "g.segment[data-kind=number] rect")
        if not num:
            raise CheckFailed("no number span")
        t = float(num[0].get_attribute("data-start"))
        d.execute_script("var a=document.querySelector('audio');window.__seek=null;"
                         "a.addEventListener('seeking',function(){if(window.__seek===null)window.__seek=a.currentTime;});")
        num[0].click()
        time.sleep(0.3)
        got = d.execute_script("return window.__seek")
        cur = d.execute_script("return document.querySelector('audio').currentTime")
        expect(got is not None and abs(got - t) < 0.05, "seeked to %r (now %r), number starts at %.3f" % (got, cur, t))
        playing = d.execute_script("var a=document.querySelector('audio');return [a.paused, a.readyState, "
                                   "a.canPlayType(a.src.slice(5, a.src.indexOf(';')))]")
        R.note("%s: after the click: paused=%s readyState=%s canPlayType=%r" % (name, *playing))
        # the playhead follows
        time.sleep(0.4)
        x = d.execute_script("var a=document.querySelector('audio');a.pause();a.currentTime=%f;"
                             "a.dispatchEvent(new Event('timeupdate'));"
                             "return document.querySelector('svg.tl .playhead').getAttribute('x1')" % t)
        dur = float(d.execute_script("return document.querySelector('svg.tl').getAttribute('data-duration')"))
        expect(abs(float(x.rstrip("%")) - 100 * t / dur) < 0.5, "playhead at %s, expected %.2f%%" % (x, 100 * t / dur))
        errs = console_errors(d)
        expect(not errs, "console errors after the click: %r" % errs)
    if name != "hostile":
        check("%s: clicking the number span seeks the player to its start (0.05 s); the playhead follows" % name,
              seek)

    def screenshots():
        for w, h in ((1280, 800), (390, 844)):
            d.set_window_size(w, h)
            time.sleep(0.3)
            d.execute_script("document.querySelector('svg.tl').scrollIntoView({block:'center'})")
            time.sleep(0.2)
            g = check_geometry(d)
            png = d.get_screenshot_as_png()
            with open(os.path.join(shots, "%s-%d.png" % (name, w)), "wb") as f:
                f.write(png)
            img = read_png(png)
            wide = wider_than_window(d)
            expect(not wide, "at %d px the page scrolls sideways: %r" % (w, wide))
            for s in g["spans"]:
                if s["kind"] not in ("name", "number"):
                    continue
                ys = (s["top"] + s["bottom"]) / 2
                xs = [s["left"] + (s["right"] - s["left"]) * f for f in (0.2, 0.4, 0.5, 0.6, 0.8)]
                cols = [pixel(img, x, ys) for x in xs]
                want = [OK_RGB] if s["verdict"] == "ok" else FAST_RGB
                expect(any(near(c, ref) for c in cols for ref in want),
                       "%d px: the %s span (%s) shows %r, not its verdict colour" % (w, s["kind"], s["verdict"], cols))
    if name != "hostile":
        check("%s: screenshots at 1280x800 and 390 px hold the verdict colours on the spans" % name, screenshots)


def print_check(d, page, shots):
    def a4():
        # A4 less 12 mm margins is 186 mm: 703 CSS px
        d.set_window_size(703, 1000)
        d.get("file://" + page)
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        time.sleep(0.3)
        hidden = d.execute_script("return Array.prototype.every.call(document.querySelectorAll('audio'),"
                                  "function(a){return getComputedStyle(a).display==='none';})")
        expect(hidden, "the player is printed")
        wide = wider_than_window(d)
        expect(not wide, "wider than A4: %r" % wide)
        check_geometry(d)
        d.save_screenshot(os.path.join(shots, "print-a4.png"))
        d.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    check("rushed-number: prints on A4 (186 mm wide) without the player, spans in place", a4)


def cohort_checks(d, page, shots):
    from selenium.webdriver.common.by import By

    def scores():
        return [c.get_attribute("data-v") for c in d.find_elements(By.CSS_SELECTOR, "#cohort tbody tr.row td:nth-child(3)")]

    def sort():
        d.set_window_size(1280, 800)
        d.get("file://" + page)
        time.sleep(0.3)
        expect(not console_errors(d), "console errors: %r" % console_errors(d))
        before = scores()
        head = [h for h in d.find_elements(By.CSS_SELECTOR, "#cohort th") if h.text.startswith("score")][0]
        head.click()
        up = scores()
        expect([float(x) for x in up] == sorted(float(x) for x in before), "ascending: %r from %r" % (up, before))
        expect(up != before, "the sample order was already sorted: the check proves nothing")
        head.click()
        down = scores()
        expect([float(x) for x in down] == sorted((float(x) for x in before), reverse=True), "descending: %r" % down)
        d.save_screenshot(os.path.join(shots, "cohort-1280.png"))
    check("cohort: sorting by score reorders the rows (up, then down)", sort)

    def open_row():
        rows = d.find_elements(By.CSS_SELECTOR, "#cohort tbody tr.row")
        target = [r for r in rows if "rushed-number" in r.text][0]
        target.find_element(By.CSS_SELECTOR, "button.open").click()
        time.sleep(0.3)
        det = d.find_elements(By.CSS_SELECTOR, "#cohort tr.detail svg.tl")
        expect(len(det) == 1, "%d timelines open" % len(det))
        check_geometry_in = d.execute_script(
            "var s=document.querySelector('#cohort tr.detail svg.tl');s.scrollIntoView({block:'center'});"
            "var r=s.querySelector('g.segment[data-kind=number] rect');return r?parseFloat(r.getAttribute('data-start')):null")
        expect(check_geometry_in is not None, "no number span in the opened timeline")
        d.execute_script("var a=document.querySelector('#cohort tr.detail audio');window.__seek=null;"
                         "a.addEventListener('seeking',function(){if(window.__seek===null)window.__seek=a.currentTime;});")
        d.find_element(By.CSS_SELECTOR, "#cohort tr.detail g.segment[data-kind=number] rect").click()
        time.sleep(0.3)
        got = d.execute_script("return window.__seek")
        expect(got is not None and abs(got - check_geometry_in) < 0.05, "seeked to %r" % got)
        d.save_screenshot(os.path.join(shots, "cohort-open-1280.png"))
        d.set_window_size(390, 844)
        time.sleep(0.3)
        d.save_screenshot(os.path.join(shots, "cohort-390.png"))
        wide = wider_than_window(d)
        expect(not wide, "the cohort scrolls sideways at 390 px: %r" % wide)
        expect(not console_errors(d), "console errors: %r" % console_errors(d))
    check("cohort: a file's row opens its timeline; its number span seeks its player", open_row)


def hostile_check(d, page):
    def run_nothing():
        d.set_window_size(1280, 800)
        d.get("file://" + page)
        time.sleep(0.5)
        expect(d.execute_script("return window.__pwned === undefined"), "the file name's handler ran")
        expect(d.execute_script("return document.querySelectorAll('img').length") == 0, "an <img> came through")
        expect("<img src=x onerror=window.__pwned=1>.wav" in d.find_element("css selector", "h1").text,
               "the name is not shown as text")
    check("hostile file name: shown as text, runs nothing", run_nothing)


def main():
    rc = harness.setup(60)
    if rc is not None:
        return rc
    browser, driver = find_browser()
    try:
        import selenium  # noqa: F401
    except ImportError:
        selenium = None
    if not browser or not driver or selenium is None:
        R.skip("browser", "Chromium, chromedriver or python3-selenium is not installed (tools/bootstrap installs them)")
        return harness.summary()
    build_dir = os.path.dirname(os.path.dirname(os.path.abspath(harness.VMCHECK)))
    shots = os.path.join(build_dir, "browser-shots")
    os.makedirs(shots, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="vmcheck-browser-")
    d = None
    try:
        pages = {}
        check("pages for every sample, the cohort and a hostile name", lambda: pages.update(make_pages(tmp)))
        if not pages:
            return harness.summary()
        try:
            d = start(browser, driver)
        except Exception as e:  # the browser is there but does not start: that is a failure
            R.fail("browser starts", "%s: %s" % (type(e).__name__, e))
            return harness.summary()
        for n in harness.SAMPLE_NAMES:
            message_checks(d, n, pages[n], shots)
        print_check(d, pages["rushed-number"], shots)
        cohort_checks(d, pages["cohort"], shots)
        hostile_check(d, pages["hostile"])
        R.note("screenshots in %s" % shots)
    finally:
        if d is not None:
            d.quit()
        shutil.rmtree(tmp, ignore_errors=True)
    return harness.summary()


if __name__ == "__main__":
    sys.exit(main())
