// tests/browser/page.test.js — vers serve's page in headless Chromium (run by run.sh, which
// starts the server: URL, VERS, CHROMIUM, SHOTS in the environment).  At a 375 px viewport:
// writes a French sonnet with a fixed seed and checks its text is vers write's, lines
// streamed before the verdict, rhyme letters coloured by group, e muet marked, no horizontal
// scroll; the permalink writes the same poem again; a pasted broken quatrain shows its
// violation on line 3; French diérèses shown where the count reads them; English stressed
// syllables marked in the text; screenshots saved in SHOTS.
"use strict";
const { chromium } = require("playwright-core");
const { execFileSync } = require("child_process");
const path = require("path");

const URL = process.env.URL, VERS = process.env.VERS, SHOTS = process.env.SHOTS;
let passed = 0, failed = 0;
function check(name, cond, detail) {
  if (cond) passed++;
  else { failed++; console.log("FAIL browser: " + name + (detail ? ": " + detail : "")); }
}

async function noHorizontalScroll(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
}

async function writeAndWait(page) {
  await page.waitForFunction(() => {
    const v = document.getElementById("verdict"), s = document.getElementById("status");
    return v.classList.contains("ok") || v.classList.contains("no") || s.classList.contains("error");
  }, null, { timeout: 240000 });
}

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true,
                                          args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  try {
    const ctx = await browser.newContext({ viewport: { width: 375, height: 812 } });
    const page = await ctx.newPage();
    const external = [];
    page.on("request", (r) => { if (!r.url().startsWith(URL)) external.push(r.url()); });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(URL);
    await page.waitForSelector("body[data-ready='1']");
    check("no horizontal scroll at 375 px (empty page)", await noHorizontalScroll(page));

    // a French sonnet, seed 7: the same text as vers write
    const want = execFileSync(VERS, ["write", "--lang", "fr", "--form", "sonnet-fr", "--seed", "7"], { encoding: "utf8" });
    await page.selectOption("#lang", "fr");
    await page.selectOption("#form", "sonnet-fr");
    await page.fill("#theme", "");
    await page.fill("#seed", "7");
    await page.evaluate(() => {           // count the lines shown before the verdict (streamed)
      window.pendingSeen = 0;
      new MutationObserver(() => { window.pendingSeen = Math.max(window.pendingSeen, document.querySelectorAll("#poem .row.pending").length); })
        .observe(document.getElementById("poem"), { childList: true, subtree: true });
    });
    await page.click("#go");
    await writeAndWait(page);
    const status = await page.textContent("#status");
    check("the sonnet is written", await page.$("#verdict.ok"), status);
    const shown = await page.$$eval("#poem .row .text", (xs) => xs.map((x) => x.dataset.text));
    const wantLines = want.split("\n").filter((l) => l.length);
    check("the sonnet's lines are vers write's", JSON.stringify(shown) === JSON.stringify(wantLines),
          "\npage: " + JSON.stringify(shown) + "\ncli:  " + JSON.stringify(wantLines));
    check("the poem's text (with its stanzas) is vers write's", (await page.getAttribute("#poem", "data-text")) === want);
    check("14 lines with syllable counts", (await page.$$eval("#poem .row .syl", (xs) => xs.filter((x) => /^12\b/.test(x.textContent)).length)) === 14);
    check("lines appeared before the verdict (streamed)", (await page.evaluate(() => window.pendingSeen)) >= 1);
    const rhymes = await page.$$eval("#poem .rhyme[data-letter]", (xs) => xs.map((x) => [x.dataset.letter, getComputedStyle(x).backgroundColor]));
    const byLetter = {};
    let consistent = rhymes.length === 14;
    for (const [l, c] of rhymes) { if (byLetter[l] && byLetter[l] !== c) consistent = false; byLetter[l] = c; }
    const colours = new Set(Object.values(byLetter));
    check("rhyme letters coloured by group", consistent && colours.size === Object.keys(byLetter).length && colours.size >= 4 &&
          ![...colours].some((c) => c === "rgba(0, 0, 0, 0)" || c === "rgb(255, 255, 255)"), JSON.stringify(byLetter));
    check("e muet marked (French)", (await page.$$("#poem .e-counted, #poem .e-elided, #poem .e-mute")).length > 0);
    check("no horizontal scroll at 375 px (sonnet)", await noHorizontalScroll(page));
    await page.screenshot({ path: path.join(SHOTS, "serve-375.png"), fullPage: true });

    // the permalink writes the same poem
    const href = await page.getAttribute("#permalink", "href");
    check("permalink carries the options and the seed", /seed=7/.test(href) && /form=sonnet-fr/.test(href) && /lang=fr/.test(href), href);
    const p2 = await ctx.newPage();
    await p2.goto(URL + href);
    await writeAndWait(p2);
    check("the permalink reproduces the poem", (await p2.getAttribute("#poem", "data-text")) === want);
    await p2.close();

    // a broken quatrain: the violation on line 3
    // Baudelaire's "Correspondances" (a quatrain vers check passes), line 3 one syllable short
    const quatrain = "La Nature est un temple où de vivants piliers\nLaissent parfois sortir de confuses paroles ;\n" +
                     "L'homme y passe à travers des bois de symboles\nQui l'observent avec des regards familiers.\n";
    await page.fill("#ctext", quatrain);
    await page.selectOption("#clang", "fr");
    await page.selectOption("#cform-name", "quatrain-fr");
    await page.click("#cgo");
    await page.waitForSelector("#cpoem .row");
    const v3 = await page.$$eval("#cpoem .row[data-line='3'] .violation", (xs) => xs.map((x) => x.textContent));
    check("the broken quatrain's violation is on line 3", v3.some((t) => /syllables/.test(t)), JSON.stringify(v3));
    const others = await page.$$eval("#cpoem .row:not([data-line='3']) .violation", (xs) => xs.map((x) => x.textContent));
    check("no violation on the other lines", others.length === 0, JSON.stringify(others));
    check("the verdict says it does not keep the form", await page.$("#cverdict.no"));
    check("no horizontal scroll at 375 px (check)", await noHorizontalScroll(page));
    await page.locator("#check").screenshot({ path: path.join(SHOTS, "serve-check-375.png") });

    // French: every diérèse the count reads is shown (li-on, pri-ère, nati-on), not a glide
    await page.fill("#ctext", "Le lion, terreur des forêts,\nLe roi des animaux dormait,\nHier encore il était roi\n\n" +
                              "Et la prière monte au ciel comme une flamme ;\nLa nation entière a pitié de ce chien\n");
    await page.selectOption("#clang", "fr");
    await page.selectOption("#cform-name", "");
    await page.click("#cgo");
    await page.waitForSelector("#cpoem .row .dierese");
    const dier = await page.$$eval("#cpoem .dierese", (xs) => xs.map((x) => x.textContent));
    check("diérèses shown where the count reads them", JSON.stringify(dier) === JSON.stringify(["lion", "Hier", "prière", "nation"]),
          JSON.stringify(dier));
    const fkeep = await page.$$eval("#cpoem .row .text", (xs) => xs.every((x) => x.textContent === x.dataset.text));
    check("French lines keep their text", fkeep);

    // English: the stressed syllables marked in the text itself
    await page.fill("#ctext", "Shall I compare thee to a summer's day?\nThou art more lovely and more temperate:\n");
    await page.selectOption("#clang", "en");
    await page.selectOption("#cform-name", "");
    await page.click("#cgo");
    await page.waitForSelector("#cpoem .row .stressed");
    const lines = await page.$$eval("#cpoem .row .text", (xs) => xs.map((x) => ({
      same: x.textContent === x.dataset.text,
      stressed: [...x.querySelectorAll(".stressed")].map((b) => b.textContent),
      bold: [...x.querySelectorAll(".stressed")].every((b) => +getComputedStyle(b).fontWeight >= 600),
    })));
    check("English lines keep their text", lines.length === 2 && lines.every((l) => l.same), JSON.stringify(lines));
    check("stressed syllables marked on their syllables (Sonnet 18, line 1)",
          JSON.stringify(lines[0].stressed) === JSON.stringify(["I", "pare", "to", "sum", "day"]), JSON.stringify(lines[0].stressed));
    check("the marks are visible (bold)", lines.every((l) => l.bold && l.stressed.length >= 4), JSON.stringify(lines));
    check("no horizontal scroll at 375 px (English)", await noHorizontalScroll(page));
    await page.locator("#check").screenshot({ path: path.join(SHOTS, "serve-english-375.png") });

    // the page at a desktop width, for the README
    const wide = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await wide.goto(URL + href);
    await writeAndWait(wide);
    await wide.fill("#ctext", quatrain);
    await wide.selectOption("#clang", "fr");
    await wide.selectOption("#cform-name", "quatrain-fr");
    await wide.click("#cgo");
    await wide.waitForSelector("#cpoem .row");
    await wide.screenshot({ path: path.join(SHOTS, "serve.png"), fullPage: true });
    check("nothing fetched from elsewhere", external.length === 0, external.join(" "));
    check("no script errors", errors.length === 0, errors.join(" | "));
    console.log("screenshots: " + path.join(SHOTS, "serve-375.png") + ", " + path.join(SHOTS, "serve.png"));
  } catch (e) {
    failed++;
    console.log("FAIL browser: " + (e && e.stack ? e.stack.split("\n").slice(0, 3).join(" ") : e));
  } finally {
    await browser.close();
  }
  console.log(passed + " passed, " + failed + " failed, 0 skipped");
  process.exit(failed ? 1 : 0);
})();
