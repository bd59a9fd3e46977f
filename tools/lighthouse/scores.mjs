// scores.mjs REPORT.json...: one Markdown table row per Lighthouse report:
// the page, the form factor and the score of each category.
import { readFileSync } from 'node:fs';

const order = ['performance', 'accessibility', 'best-practices', 'seo'];
for (const file of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  const url = new URL(r.finalDisplayedUrl || r.finalUrl);
  const scores = order.map((c) => (r.categories[c] ? Math.round(r.categories[c].score * 100) : '–'));
  console.log(`| ${decodeURIComponent(url.pathname + url.search)} | ${r.configSettings.formFactor} | ${scores.join(' | ')} |`);
  // What kept a category under 100, so the table is never the whole story.
  for (const c of order) {
    const cat = r.categories[c];
    if (!cat || cat.score === 1) continue;
    for (const ref of cat.auditRefs) {
      const a = r.audits[ref.id];
      if (!(ref.weight > 0 && a.score !== null && a.score < 1)) continue;
      // Name what the console logged, and where.
      const items = a.id === 'errors-in-console' ? (a.details?.items || []).map((i) => `\`${i.sourceLocation?.url || i.url || i.source}\`: ${i.description}`) : [];
      const why = items.length ? `: ${[...new Set(items)].join('; ')}` : '';
      console.error(`  ${url.pathname} ${r.configSettings.formFactor} ${c}: ${a.id} (${a.title})${why}`);
    }
  }
}
