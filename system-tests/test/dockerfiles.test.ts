import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, launcherServices, readCompose, readText, repositoryFiles, workspaceDirs } from './helpers/repo';

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

/**
 * The instructions as Docker resolves them for some build args: an ARG is seen only in the
 * stage that declares it (one declared before the first FROM only in FROM lines), with the
 * build arg's value, else its default, else empty; exec-form (JSON) CMD, ENTRYPOINT and
 * HEALTHCHECK CMD are not expanded. RUN is expanded too: its shell sees the ARGs as variables.
 * (ENV values are not substituted: this Dockerfile refers to none.)
 */
function resolve(ins: Instruction[], buildArgs: Record<string, string>): Instruction[] {
  const valueOf = (decl: string) => {
    const [name, ...rest] = decl.split('=');
    return [name, buildArgs[name] ?? (rest.length ? rest.join('=') : '')] as const;
  };
  const expand = (s: string, scope: Map<string, string>) =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a?: string, b?: string) => scope.get((a ?? b)!) ?? '');
  const global = new Map<string, string>();
  let scope: Map<string, string> | undefined;
  return ins.map((i) => {
    if (i.op === 'ARG') (scope ?? global).set(...valueOf(i.args));
    if (i.op === 'FROM') {
      scope = new Map();
      return { op: i.op, args: expand(i.args, global) };
    }
    const execForm = /^(CMD|ENTRYPOINT)$/.test(i.op) || (i.op === 'HEALTHCHECK' && /\bCMD\s+\[/.test(i.args));
    return execForm || !scope ? i : { op: i.op, args: expand(i.args, scope) };
  });
}

/** Paths named by an instruction's arguments, options and shell quotes dropped. */
const words = (args: string) =>
  args
    .split(/\s+/)
    .filter((p) => p && !p.startsWith('--'))
    .map((p) => p.replace(/^["']|["']$/g, ''));

/** Each runtime COPY with its sources and its destination made absolute against the WORKDIR in force. */
function runtimeCopies(runtime: Instruction[]): { from?: string; sources: string[]; dest: string }[] {
  let wd = '/';
  const out: { from?: string; sources: string[]; dest: string }[] = [];
  for (const i of runtime) {
    if (i.op === 'WORKDIR') wd = path.posix.resolve(wd, i.args);
    if (i.op !== 'COPY') continue;
    const parts = words(i.args);
    const dest = parts[parts.length - 1];
    out.push({
      from: /--from=(\S+)/.exec(i.args)?.[1],
      sources: parts.slice(0, -1),
      dest: path.posix.resolve(wd, dest),
    });
  }
  return out;
}

/** The build args docker-compose.yml passes when it builds a service, as strings. */
function composeBuildArgs(name: string): Record<string, string> {
  const services = readCompose().services as Record<string, { build?: { args?: Record<string, unknown> } }>;
  return Object.fromEntries(Object.entries(services[name]?.build?.args ?? {}).map(([k, v]) => [k, String(v)]));
}

/** Runs a RUN instruction's shell command from the repository root (its manifests mirror /app's). */
function runShell(command: string, env: Record<string, string>) {
  return spawnSync('sh', ['-c', command], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
}

const DOCKERFILE = 'Dockerfile';
const text = readText(DOCKERFILE);
const ins = instructions(text);
const all = stages(ins);
const stageNamed = (name: string) => all.find((s) => new RegExp(`\\s+AS\\s+${name}$`, 'i').test(s[0].args))!;

describe('Dockerfile (one for every service)', () => {
  it('when looking for Dockerfiles, then the root one is the only one', () => {
    expect(repositoryFiles().filter((f) => /(^|\/)Dockerfile$/.test(f))).toEqual([DOCKERFILE]);
  });

  it('when built, then it is multi-stage on a Node 24 image', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    const images = resolve(ins, {})
      .filter((i) => i.op === 'FROM')
      .map((i) => i.args.split(/\s+/)[0]);
    const stageNames = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(/\s+AS\s+/i)[1]);
    // Either a Node 24 base or an earlier stage of this file.
    for (const image of images) expect(stageNames.includes(image) || /^node:24(-|$)/.test(image)).toBe(true);
    expect(images[images.length - 1]).toMatch(/^node:24(-|$)/);
  });

  it('when building, then every workspace manifest is copied (npm ci checks the lockfile against all of them)', () => {
    const copied = ins.filter((i) => i.op === 'COPY' && !i.args.includes('--from')).flatMap((i) => words(i.args).slice(0, -1));
    for (const ws of workspaceDirs()) expect(copied).toContain(`${ws}/package.json`);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
  });

  it('when a stage refers to SERVICE or SERVICE_PORT, then it declares the ARG, without a default', () => {
    for (const stage of all) {
      const declared = stage.filter((i) => i.op === 'ARG').map((i) => i.args);
      for (const name of ['SERVICE', 'SERVICE_PORT']) {
        const used = stage.some((i) => i.op !== 'ARG' && new RegExp(`\\$\\{?${name}\\b`).test(i.args));
        if (used)
          expect({ stage: stage[0].args, name, declared }).toEqual({
            stage: stage[0].args,
            name,
            declared: expect.arrayContaining([name]),
          });
      }
    }
    expect(ins.filter((i) => i.op === 'ARG' && /^SERVICE(_PORT)?=/.test(i.args))).toEqual([]);
  });

  it('when SERVICE is empty or not a workspace, then the build and deps stages stop before using it, saying why', () => {
    for (const name of ['build', 'deps']) {
      const runs = stageNamed(name).filter((i) => i.op === 'RUN');
      const check = runs.findIndex((i) => i.args.includes('test -n "$SERVICE"'));
      expect({ name, check }).not.toEqual({ name, check: -1 });
      // Checked before the first instruction that uses SERVICE (an install not naming it is shared by every image).
      const firstUse = runs.findIndex((i, n) => n !== check && /\$\{?SERVICE\b/.test(i.args));
      if (firstUse >= 0) expect(check).toBeLessThan(firstUse);
      const empty = runShell(runs[check].args, { SERVICE: '' });
      expect(empty.status).not.toBe(0);
      expect(empty.stderr).toMatch(/SERVICE is required/);
      expect(runShell(runs[check].args, { SERVICE: 'user-service' }).status).toBe(0);
    }
    const build = stageNamed('build').find((i) => i.op === 'RUN' && i.args.includes('test -n "$SERVICE"'))!;
    const unknown = runShell(build.args, { SERVICE: 'no-such-service' });
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/not a workspace/);
  });

  it('when SERVICE_PORT is empty, then the runtime stage stops, saying why', () => {
    const runtime = all[all.length - 1];
    const check = runtime.find((i) => i.op === 'RUN' && i.args.includes('test -n "$SERVICE_PORT"'))!;
    expect(check).toBeDefined();
    const out = runShell(check.args.split('&&')[0], { SERVICE_PORT: '' });
    expect(out.status).not.toBe(0);
    expect(out.stderr).toMatch(/SERVICE_PORT is required/);
  });
});

describe.each(launcherServices())('Dockerfile built for $name', (svc) => {
  const args = composeBuildArgs(svc.name);
  const resolved = resolve(ins, args);
  const built = stages(resolved);
  const runtime = built[built.length - 1];

  it('when compose builds it, then the build args name this service and its launcher port', () => {
    expect(args).toEqual({ SERVICE: svc.name, SERVICE_PORT: String(svc.port) });
  });

  it('when installing, then the build and deps stages install every workspace once (layers shared by every image) and the runtime copies only production dependencies', () => {
    const build = stageNamed('build');
    const install = build.findIndex((i) => i.op === 'RUN' && /npm ci --include-workspace-root/.test(i.args));
    expect(install).toBeGreaterThanOrEqual(0);
    expect(build.findIndex((i) => i.op === 'ARG' && i.args === 'SERVICE')).toBeGreaterThan(install);
    // The production install is shared too: the deps stage runs it before declaring SERVICE.
    const deps = stageNamed('deps');
    const prod = deps.findIndex((i) => i.op === 'RUN' && /npm ci --omit=dev(\s|$)/.test(i.args));
    expect(prod).toBeGreaterThanOrEqual(0);
    expect(deps.findIndex((i) => i.op === 'ARG' && i.args === 'SERVICE')).toBeGreaterThan(prod);
    // The runtime stage installs nothing itself: it copies the production tree.
    expect(runtime.filter((i) => i.op === 'RUN' && /npm (ci|install)/.test(i.args))).toEqual([]);
    expect(runtime.some((i) => i.op === 'COPY' && /--from=deps\b.*node_modules/.test(i.args))).toBe(true);
  });

  it('when compiling, then tsc builds every library the service links, in dependency order, then the service', () => {
    const tsc = resolved.find((i) => i.op === 'RUN' && i.args.includes('tsc -b'))!;
    const projects = words(tsc.args.split('&&')[0].replace(/.*tsc -b/, ''));
    expect(projects[projects.length - 1]).toBe(svc.name);
    const libs = projects.filter((p) => p.startsWith('libraries/')).map((p) => p.slice('libraries/'.length));
    for (const lib of libraryClosure(svc.name)) expect(libs).toContain(lib);
    // A library comes after the libraries it depends on.
    for (const lib of libs) {
      for (const dep of libraryClosure(`libraries/${lib}`)) expect(libs.indexOf(dep)).toBeLessThan(libs.indexOf(lib));
    }
  });

  it('when copying sources, then every COPY source exists and is not excluded by .dockerignore', () => {
    const sources = resolved.filter((x) => x.op === 'COPY' && !x.args.includes('--from')).flatMap((i) => words(i.args).slice(0, -1));
    expect(sources).toContain(`${svc.name}/`);
    for (const src of sources) {
      expect({ src, exists: fs.existsSync(path.join(ROOT, src)) }).toEqual({ src, exists: true });
      expect({ src, ignored: ignoredByDockerignore(src.replace(/\/$/, '')) }).toEqual({ src, ignored: false });
    }
  });

  it('when running, then it is production mode on its port as a non-root user with a /health check', () => {
    const env = runtime
      .filter((i) => i.op === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/NODE_ENV=production/);
    expect(env).toMatch(new RegExp(`PORT=${svc.port}\\b`));
    // The working directory is the service's folder: a relative DATA_DIR would land there.
    expect(/DATA_DIR=(\S+)/.exec(env)?.[1]).toBe('/app/data');
    expect(runtime.filter((i) => i.op === 'EXPOSE').map((i) => i.args)).toEqual([String(svc.port)]);
    const user = runtime.filter((i) => i.op === 'USER').pop();
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    const hc = runtime.find((i) => i.op === 'HEALTHCHECK')!;
    expect(hc.args).toContain('/health');
    expect(hc.args).toMatch(/CMD \["node"/);
    expect(hc.args).toContain('process.env.PORT');
  });

  it('when started, then CMD from the WORKDIR runs the launcher entry point, which the build produces from src/main.ts', () => {
    const cmds = runtime.filter((i) => i.op === 'CMD');
    expect(cmds).toHaveLength(1);
    const cmd = JSON.parse(cmds[0].args) as string[];
    expect(cmd[0]).toBe('node');
    const workdir = runtime.filter((i) => i.op === 'WORKDIR').reduce((wd, i) => path.posix.resolve(wd, i.args), '/');
    const entryInImage = path.posix.resolve(workdir, cmd[1]);
    expect(entryInImage).toBe(`/app/${svc.name}/dist/main.js`);
    // The image's /app mirrors the repository root: the file is <service>/dist/main.js, and
    // scripts/stack.mjs runs path.join(ROOT, svc.name, 'dist', 'main.js'): the same file.
    const rel = path.posix.relative('/app', entryInImage);
    expect(readText('scripts/stack.mjs')).toContain("path.join(ROOT, svc.name, 'dist', 'main.js')");
    // The runtime copies that very folder from the build.
    expect(runtimeCopies(runtime)).toContainEqual({ from: 'build', sources: [`/app/${svc.name}/dist`], dest: `/app/${svc.name}/dist` });
    const tsconfig = JSON.parse(readText(`${svc.name}/tsconfig.json`)) as { compilerOptions: { rootDir: string; outDir: string } };
    expect(tsconfig.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    expect(fs.existsSync(path.join(ROOT, svc.name, 'src', 'main.ts'))).toBe(true);
    const entry = path.join(ROOT, rel);
    if (!fs.existsSync(entry)) throw new Error(`${rel} does not exist: run \`npm run build\` first (npm test does)`);
    const map = JSON.parse(fs.readFileSync(`${entry}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources).toEqual(['../src/main.ts']);
  });

  it('when node resolves a package from the entry point, then every production node_modules folder of the lockfile is there', () => {
    const lock = JSON.parse(readText('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
    const owners = [svc.name, ...[...libraryClosure(svc.name)].map((l) => `libraries/${l}`)];
    // Where npm ci --omit=dev puts packages for this service: the hoisted tree and the nested ones.
    const folders = new Set(
      Object.entries(lock.packages)
        .filter(([key, p]) => key.includes('node_modules/') && !p.dev)
        .map(([key]) => key.slice(0, key.indexOf('node_modules/') + 'node_modules'.length))
        .filter((f) => f === 'node_modules' || owners.some((o) => f === `${o}/node_modules`)),
    );
    expect(folders).toContain('node_modules');
    const copies = runtimeCopies(runtime);
    for (const folder of folders) {
      // Copied from the production tree (deps) to the same place: the folder itself or one above it.
      const target = `/app/${folder}`;
      const covered = copies.some(
        (c) =>
          c.from === 'deps' &&
          c.sources.some(
            (src) => (target === src || target.startsWith(`${src}/`)) && path.posix.join(c.dest, target.slice(src.length)) === target,
          ),
      );
      expect({ folder, covered }).toEqual({ folder, covered: true });
    }
    // require() walks up from the entry point's folder (WORKDIR + CMD): every copied node_modules
    // of this service sits in one of the folders on the way.
    const workdir = runtime.filter((i) => i.op === 'WORKDIR').reduce((wd, i) => path.posix.resolve(wd, i.args), '/');
    const entryDir = path.posix.dirname(
      path.posix.resolve(workdir, (JSON.parse(runtime.find((i) => i.op === 'CMD')!.args) as string[])[1]),
    );
    for (const folder of [...folders].filter((f) => f === 'node_modules' || f.startsWith(`${svc.name}/`))) {
      const above = path.posix.relative(path.posix.dirname(`/app/${folder}`), entryDir);
      expect({ folder, onTheWay: !above.startsWith('..') }).toEqual({ folder, onTheWay: true });
    }
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
