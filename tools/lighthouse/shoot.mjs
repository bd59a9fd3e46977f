// shoot.mjs BASE OUTDIR NAME=PATH...: full-page pictures of site pages in
// headless Chromium, at a desktop width (1280) and a phone's (390, twice
// the pixels), as OUTDIR/NAME-1280.png and OUTDIR/NAME-390.png.
import puppeteer from 'puppeteer-core';

const [base, out, ...pages] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--hide-scrollbars'],
});
try {
  for (const spec of pages) {
    const at = spec.indexOf('='); // a path may hold '=' (a query)
    const [name, path] = [spec.slice(0, at), spec.slice(at + 1)];
    for (const [width, scale, mobile] of [[1280, 1, false], [390, 2, true]]) {
      const page = await browser.newPage();
      await page.setViewport({ width, height: mobile ? 844 : 800, deviceScaleFactor: scale, isMobile: mobile, hasTouch: mobile });
      const res = await page.goto(base + path, { waitUntil: 'networkidle0' });
      if (res.status() >= 400) throw new Error(`${path}: ${res.status()}`);
      const file = `${out}/${name}-${width}.png`;
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.close();
    }
  }
} finally {
  await browser.close();
}
