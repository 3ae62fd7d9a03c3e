import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * Every regular expression in api/ and portal/ is checked for catastrophic backtracking — the
 * polynomial kind as well as the exponential one — by `recheck`, so a pattern like the portal's old
 * email check (quadratic: one 120 KB sign-in post blocked the portal for 11.7 s) fails the suite
 * before it ships (issue 12, item 6).
 *
 * The patterns are found by parsing the source with the TypeScript compiler: every regex literal,
 * and every `RegExp(…)` / `new RegExp(…)` call. A call whose pattern is not a literal cannot be
 * checked here, so it fails unless it has a reviewed entry in DYNAMIC_PATTERNS saying why its
 * input is safe. `.astro` files are parsed through their frontmatter; their templates may not use
 * regular expressions at all (keep them in the frontmatter or in src/lib).
 */

const ROOT = resolve(__dirname, '..', '..');
const SOURCE_DIRS = ['api/src', 'api/test', 'portal/src'];
const SOURCE_FILES = ['portal/astro.config.mjs'];

/** `file:line` → why a non-literal pattern there is safe. Empty today: keep it short. */
const DYNAMIC_PATTERNS: Record<string, string> = {
  'api/src/common/http/uploads.ts:76':
    "built from Candor's own OpenAPI paths: escaped literal segments joined by `[^/]+` for each `{param}`, then an optional `/`, anchored at both ends; no nested or adjacent quantifiers can overlap (a `[^/]+` never meets another quantifier without a literal `/` between them, and `/?` cannot match what `[^/]+` does)",
};

interface FoundPattern {
  where: string;
  source: string;
  flags: string;
}

interface Scan {
  patterns: FoundPattern[];
  /** `RegExp(…)` calls whose pattern is not a literal. */
  dynamic: string[];
}

/** The regular expressions in one file's source text. */
function scanSource(fileName: string, text: string): Scan {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : fileName.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const scan: Scan = { patterns: [], dynamic: [] };
  const where = (node: ts.Node) => `${fileName}:${file.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText();
      const end = literal.lastIndexOf('/');
      scan.patterns.push({ where: where(node), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
      const [pattern, flags] = node.arguments ?? [];
      if (pattern && ts.isStringLiteralLike(pattern) && (!flags || ts.isStringLiteralLike(flags))) {
        scan.patterns.push({ where: where(node), source: pattern.text, flags: flags && ts.isStringLiteralLike(flags) ? flags.text : '' });
      } else {
        scan.dynamic.push(where(node));
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return scan;
}

/** An `.astro` file: its frontmatter as TypeScript, and whether its template uses regular expressions. */
function scanAstro(fileName: string, text: string): Scan & { templateUsesRegex: boolean } {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  const frontmatter = match?.[1] ?? '';
  const template = match ? text.slice(match[0].length) : text;
  // Blank out the frontmatter's neighbours so line numbers stay true.
  const scan = scanSource(`${fileName}.ts`, `\n${frontmatter}`);
  scan.patterns.forEach((p) => (p.where = p.where.replace(/\.ts:/, ':')));
  scan.dynamic = scan.dynamic.map((w) => w.replace(/\.ts:/, ':'));
  return { ...scan, templateUsesRegex: /RegExp|\.(?:test|exec|match|matchAll|search|replace|replaceAll|split)\(\s*\//.test(template) };
}

function filesUnder(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .map((f) => join(dir, f.replace(/\\/g, '/')))
    .filter((f) => /\.(?:ts|tsx|mjs|js|astro)$/.test(f) && !f.endsWith('.d.ts') && !f.includes('node_modules') && !f.includes('/dist/'));
}

function scanProject(): { patterns: FoundPattern[]; dynamic: string[]; astroTemplates: string[]; files: number } {
  const files = [...SOURCE_DIRS.flatMap(filesUnder), ...SOURCE_FILES];
  const patterns: FoundPattern[] = [];
  const dynamic: string[] = [];
  const astroTemplates: string[] = [];
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    if (file.endsWith('.astro')) {
      const scan = scanAstro(file, text);
      patterns.push(...scan.patterns);
      dynamic.push(...scan.dynamic);
      if (scan.templateUsesRegex) astroTemplates.push(file);
    } else {
      const scan = scanSource(file, text);
      patterns.push(...scan.patterns);
      dynamic.push(...scan.dynamic);
    }
  }
  return { patterns, dynamic, astroTemplates, files: files.length };
}

/** recheck's verdict: 'safe', 'vulnerable' (with the complexity) or 'unknown'. */
function verdict(source: string, flags: string): string {
  // `d` (indices) and `g`/`y` (iteration) change nothing about backtracking.
  const result = checkSync(source, flags.replace(/[dgy]/g, ''), { timeout: 10_000 });
  return result.status === 'vulnerable' ? `vulnerable (${result.complexity.summary})` : result.status;
}

describe('regular expressions in api/ and portal/', () => {
  it('flags the old email pattern (quadratic) and a classic exponential one: the checker catches this kind', () => {
    expect(verdict('^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', '')).toMatch(/^vulnerable \(2nd degree polynomial\)$/);
    expect(verdict('^(a+)+$', '')).toMatch(/^vulnerable \(exponential\)$/);
    expect(verdict('^[A-Za-z0-9._-]{1,64}$', '')).toBe('safe');
  });

  it('finds regex literals and RegExp calls in source, and reports non-literal patterns', () => {
    const scan = scanSource(
      'fixture.ts',
      [
        'const a = /^x+$/i;',
        "const b = new RegExp('^y+$', 'u');",
        "const c = RegExp(`^z$`);",
        'const d = new RegExp(userInput);',
        'const e = 6 / 2 / 3; // division, not a pattern',
      ].join('\n'),
    );
    expect(scan.patterns.map((p) => [p.source, p.flags])).toEqual([
      ['^x+$', 'i'],
      ['^y+$', 'u'],
      ['^z$', ''],
    ]);
    expect(scan.dynamic).toEqual(['fixture.ts:4']);
  });

  it('has only patterns that recheck proves safe, and no unreviewed dynamic pattern', () => {
    const { patterns, dynamic, astroTemplates, files } = scanProject();
    // Guard against a vacuous pass: the scan really reads the code.
    expect(files).toBeGreaterThan(100);
    expect(patterns.length).toBeGreaterThan(30);
    expect(patterns.some((p) => p.where.startsWith('portal/src/lib/session.ts:'))).toBe(true);
    expect(patterns.some((p) => p.where.startsWith('api/src/'))).toBe(true);
    expect(dynamic.filter((where) => !(where in DYNAMIC_PATTERNS)), 'RegExp with a non-literal pattern: review it and add it to DYNAMIC_PATTERNS').toEqual([]);
    expect(astroTemplates, 'regular expressions in .astro templates: move them to the frontmatter or src/lib').toEqual([]);
    const unsafe = patterns
      .map((p) => ({ ...p, verdict: verdict(p.source, p.flags) }))
      .filter((p) => p.verdict !== 'safe')
      .map((p) => `${p.where} /${p.source}/${p.flags}: ${p.verdict}`);
    expect(unsafe).toEqual([]);
    console.log(`regex safety: ${patterns.length} patterns in ${files} files of api/ and portal/, all safe`);
  }, 60_000);
});
