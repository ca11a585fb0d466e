// Runs axe-core inside a page and fails with every WCAG 2.2 A/AA violation it finds, named.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

// Our pages forbid inline script, so the context that opens them must be made
// with `bypassCSP: true` for axe to be injected.
export async function expectNoViolations(page, what) {
  const injected = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!injected) await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    WCAG_AA,
  );
  const found = result.violations.map((violation) => ({
    rule: violation.id,
    impact: violation.impact,
    help: violation.help,
    where: violation.nodes.slice(0, 5).map((node) => `${node.target.join(' ')}: ${node.failureSummary.split('\n').slice(1).join(' ').trim()}`),
  }));
  assert.deepEqual(found, [], `${what}: axe-core found ${found.length} WCAG A/AA violation(s):\n${JSON.stringify(found, null, 2)}`);
}
