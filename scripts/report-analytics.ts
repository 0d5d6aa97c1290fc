import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Allure's report plugin (@allurereport/plugin-awesome 3.18) writes a Google Tag Manager script and
 * its inline `gtag(...)` set-up into every index.html it generates, unconditionally: its template
 * passes `analyticsEnable: true` and no config option turns it off. So every opened report would
 * call a third party with the report's id and Allure version. `npm run report` strips both tags
 * from the generated pages instead.
 */

const gtmScript =
  /[ \t]*<script\b[^>]*\bsrc=["']https?:\/\/[^"']*googletagmanager\.com[^"']*["'][^>]*>\s*<\/script>\s*/gi;
const inlineGtag =
  /[ \t]*<script\b[^>]*>(?:(?!<\/script>)[\s\S])*?\bgtag\s*\((?:(?!<\/script>)[\s\S])*<\/script>\s*/gi;

/** The page without the analytics tags; throws when a tag survives (Allure changed its template). */
export function stripAnalytics(html: string, file = 'index.html'): string {
  const stripped = html.replace(gtmScript, '').replace(inlineGtag, '');
  if (/googletagmanager|\bgtag\s*\(/i.test(stripped)) {
    throw new Error(
      `${file} still loads Google Tag Manager after its analytics tags were removed (Allure changed its report template): update scripts/report-analytics.ts to the new tags.`,
    );
  }
  return stripped;
}

/** Strips the analytics from every report page (index.html) in a generated report; returns them. */
export function stripAnalyticsFromReport(reportDir: string): string[] {
  const pages = readdirSync(reportDir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => path.basename(entry) === 'index.html' && !entry.split(path.sep).includes('data'))
    .map((entry) => path.join(reportDir, entry));
  for (const page of pages) {
    const html = readFileSync(page, 'utf8');
    const stripped = stripAnalytics(html, page);
    if (stripped !== html) writeFileSync(page, stripped);
  }
  return pages;
}
