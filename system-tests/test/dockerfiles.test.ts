import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launcherServices, readText, workspaceDirs } from './helpers/repo';

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions, continuation lines joined, comments dropped. */
function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\r?\n(\s*#.*\r?\n)*/g, ' ');
  return joined
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l)!;
      return { op: m[1].toUpperCase(), args: m[2] };
    });
}

/** Stages: each FROM starts one; the last is the image that runs. */
function stages(ins: Instruction[]): Instruction[][] {
  const out: Instruction[][] = [];
  for (const i of ins) {
    if (i.op === 'FROM') out.push([]);
    out[out.length - 1]?.push(i);
  }
  return out;
}

/** .dockerignore patterns, checked the simple way our file is written (no globs beyond * and **). */
function ignoredByDockerignore(rel: string): boolean {
  const patterns = readText('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const p = negate ? raw.slice(1) : raw;
    const re = new RegExp(
      '^' +
        p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*\*\//g, '\0')
          .replace(/\*/g, '[^/]*')
          .replace(/\0/g, '(?:.*/)?') +
        '(?:/.*)?$',
    );
    if (re.test(rel)) ignored = !negate;
  }
  return ignored;
}

/** The @canaduck libraries a workspace needs, transitively. */
function libraryClosure(dir: string, seen = new Set<string>()): Set<string> {
  const pkg = JSON.parse(readText(`${dir}/package.json`)) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    const m = /^@canaduck\/(.+)$/.exec(dep);
    if (m && fs.existsSync(path.join(ROOT, 'libraries', m[1])) && !seen.has(m[1])) {
      seen.add(m[1]);
      libraryClosure(`libraries/${m[1]}`, seen);
    }
  }
  return seen;
}

describe.each(launcherServices())('$name/Dockerfile', (svc) => {
  const file = `${svc.name}/Dockerfile`;
  const text = readText(file);
  const ins = instructions(text);
  const all = stages(ins);
  const runtime = all[all.length - 1];

  it('when built, then it is multi-stage on a Node 24 image', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const args = Object.fromEntries(ins.filter((i) => i.op === 'ARG').map((i) => i.args.split('=')));
    const images = ins
      .filter((i) => i.op === 'FROM')
      .map((i) => i.args.split(/\s+/)[0].replace(/^\$\{(\w+)\}$/, (_, a: string) => args[a] ?? a));
    for (const image of images) {
      // Either a Node 24 base or an earlier stage of this file.
      const stageNames = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+AS\s+/i)[1]);
      expect(stageNames.includes(image) || /^node:24(-|$)/.test(image)).toBe(true);
    }
    expect(images[images.length - 1]).toMatch(/^node:24(-|$)/);
  });

  it('when installing, then the build stage installs this workspace and the runtime only production dependencies', () => {
    expect(text).toMatch(new RegExp(`npm ci [^\\n]*-w ${svc.name}`));
    expect(text).toMatch(new RegExp(`npm ci --omit=dev -w ${svc.name}`));
    // The runtime stage installs nothing itself: it copies the production tree.
    expect(runtime.filter((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toEqual([]);
    expect(runtime.some((i) => i.op === 'COPY' && /--from=deps\b.*node_modules/.test(i.args))).toBe(true);
  });

  it('when building, then every workspace manifest is copied (npm ci checks the lockfile against all of them)', () => {
    const copied = ins.filter((i) => i.op === 'COPY' && !i.args.includes('--from')).flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const ws of workspaceDirs()) expect(copied).toContain(`${ws}/package.json`);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
  });

  it('when compiling, then tsc builds every library the service links, in dependency order, then the service', () => {
    const tsc = ins.find((i) => i.op === 'RUN' && i.args.includes('tsc -b'))!;
    const projects = tsc.args
      .split('&&')[0]
      .replace(/.*tsc -b/, '')
      .trim()
      .split(/\s+/);
    expect(projects[projects.length - 1]).toBe(svc.name);
    const built = projects.filter((p) => p.startsWith('libraries/')).map((p) => p.slice('libraries/'.length));
    for (const lib of libraryClosure(svc.name)) expect(built).toContain(lib);
    // A library comes after the libraries it depends on.
    for (const lib of built) {
      for (const dep of libraryClosure(`libraries/${lib}`)) expect(built.indexOf(dep)).toBeLessThan(built.indexOf(lib));
    }
  });

  it('when copying sources, then every COPY source exists and is not excluded by .dockerignore', () => {
    for (const i of ins.filter((x) => x.op === 'COPY' && !x.args.includes('--from'))) {
      const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        expect({ src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
        expect({ src, ignored: ignoredByDockerignore(src.replace(/\/$/, '')) }).toEqual({ src, ignored: false });
      }
    }
  });

  it('when running, then it is production mode as a non-root user with a /health check', () => {
    const env = runtime
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(new RegExp(`PORT=${svc.port}\\b`));
    const user = runtime.filter((i) => i.op === 'USER').pop();
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    const hc = runtime.find((i) => i.op === 'HEALTHCHECK')!;
    expect(hc.args).toContain('/health');
    expect(hc.args).toMatch(/CMD \["node"/);
  });

  it('when started, then the exec-form CMD runs the launcher entry point, which the build produces from src/main.ts', () => {
    const cmds = runtime.filter((i) => i.op === 'CMD');
    expect(cmds).toHaveLength(1);
    const cmd = JSON.parse(cmds[0].args) as string[];
    expect(cmd).toEqual(['node', `${svc.name}/dist/main.js`]);
    // scripts/stack.mjs runs path.join(ROOT, svc.name, 'dist', 'main.js'): the same file.
    expect(readText('scripts/stack.mjs')).toContain("path.join(ROOT, svc.name, 'dist', 'main.js')");
    const tsconfig = JSON.parse(readText(`${svc.name}/tsconfig.json`)) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(fs.existsSync(path.join(ROOT, svc.name, 'src', 'main.ts'))).toBe(true);
    const entry = path.join(ROOT, cmd[1]);
    if (!fs.existsSync(entry)) throw new Error(`${cmd[1]} does not exist: run \`npm run build\` first (npm test does)`);
    const map = JSON.parse(fs.readFileSync(`${entry}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(['../src/main.ts']);
  });
});

describe('.dockerignore', () => {
  it('when sending the build context, then secrets, dependencies and build outputs stay out', () => {
    for (const p of ['.env', 'node_modules', 'user-service/node_modules', 'user-service/dist', 'libraries/db/dist', '.git', 'data']) {
      expect({ p, ignored: ignoredByDockerignore(p) }).toEqual({ p, ignored: true });
    }
    for (const p of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'libraries/db/src', 'user-service/src']) {
      expect({ p, ignored: ignoredByDockerignore(p) }).toEqual({ p, ignored: false });
    }
  });
});
