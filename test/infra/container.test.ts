import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

/** The Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
function dockerfileStages(): Instruction[][] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const stages: Instruction[][] = [];
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#')) continue;
    const [, keyword = '', args = ''] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim() };
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  return stages;
}

const runs = (stage: Instruction[]) =>
  stage.filter((i) => i.keyword === 'RUN').map((i) => i.args.replace(/\s+/g, ' '));

/** Where `tsc -p tsconfig.build.json` writes src/main.ts, relative to the project. */
function builtMain(): string {
  const base = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
  const options = { ...base.compilerOptions, ...build.compilerOptions };
  const relative = posix.relative(options.rootDir ?? '.', 'src/main.ts').replace(/\.ts$/, '.js');
  return posix.join(options.outDir, relative);
}

describe('the Dockerfile', () => {
  const stages = dockerfileStages();
  const build = stages[0] ?? [];
  const runtime = stages.at(-1) ?? [];

  it('builds in one node:22-slim stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const stage of stages) expect(stage[0]?.args).toMatch(/^node:22-slim\b/);
    expect(runs(build)).toEqual(expect.arrayContaining([expect.stringMatching(/^npm ci\b/)]));
    expect(runs(build)).toContain('npm run build');
  });

  it('copies into the build stage everything tsconfig.build.json compiles', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8'));
    const copied = stages[0]!
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    for (const included of build.include as string[]) expect(copied).toContain(included);
    expect(copied).toEqual(expect.arrayContaining(['tsconfig.json', 'tsconfig.build.json']));
  });

  it('installs only production dependencies in the image it runs', () => {
    const installs = runs(runtime).filter((run) => run.includes('npm ci'));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('--omit=dev');
    expect(runs(runtime).some((run) => run.includes('npm run build'))).toBe(false);
    const copies = runtime.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    expect(copies).toContain(`--from=${build[0]!.args.split(/\s+AS\s+/i)[1]} /app/dist ./dist`);
  });

  it('runs as a user other than root', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1)?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('starts node on the compiled entry point directly, so SIGTERM reaches the app', () => {
    const cmd = runtime.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '';
    expect(JSON.parse(cmd)).toEqual(['node', builtMain()]);
    expect(runtime.some((i) => i.keyword === 'ENTRYPOINT')).toBe(false);
    expect(runtime.find((i) => i.keyword === 'ENV')?.args).toMatch(/\bMODE=gcp\b/);
  });

  it('keeps local data, dependencies and secrets out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', 'dist', '.data', '.env*']));
    for (const needed of ['src', 'web', 'package.json', 'package-lock.json']) {
      expect(ignored).not.toContain(needed);
    }
  });
});

describe('the image the Dockerfile builds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clean-that-up-image-'));
  let child: ChildProcess | undefined;

  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs with node alone: serves /healthz and the pages, and exits on SIGTERM', async () => {
    // The build stage replayed in a scratch directory standing for /app: its COPY lines, the
    // installed dependencies (linked, instead of `npm ci`), then its other RUN steps.
    const [build] = dockerfileStages();
    for (const { keyword, args } of build!) {
      if (keyword !== 'COPY' || args.startsWith('--')) continue;
      const words = args.split(/\s+/);
      const destination = words.at(-1)!;
      const sources = words.slice(0, -1);
      for (const source of sources) {
        const into = sources.length > 1 || destination.endsWith('/');
        const target = into ? join(dir, destination, basename(source)) : join(dir, destination);
        cpSync(join(ROOT, source), target, { recursive: true });
      }
    }
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    for (const command of runs(build!).filter((run) => !run.startsWith('npm ci'))) {
      await promisify(execFile)('sh', ['-c', command], { cwd: dir }).catch(
        (error: { stdout?: string; stderr?: string }) => {
          throw new Error(`${command} fails:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
        },
      );
    }

    // The runtime stage keeps package.json, the dependencies and dist/; nothing else is read.
    rmSync(join(dir, 'src'), { recursive: true });
    rmSync(join(dir, 'web'), { recursive: true });
    const port = await freePort();
    child = spawn(process.execPath, [builtMain()], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        DATA_DIR: join(dir, 'data'),
        METADATA_SERVER_DETECTION: 'none',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', resolve));

    const base = `http://127.0.0.1:${port}`;
    const health = await poll(
      () => fetch(`${base}/healthz`),
      20_000,
      () => output,
    );
    expect(health.status).toBe(200);
    const landing = await fetch(base);
    expect(landing.status, output).toBe(200);
    expect(landing.headers.get('content-type')).toMatch(/text\/html/);
    // Every stylesheet and script the page links is served from dist/.
    const html = await landing.text();
    const linked = [...html.matchAll(/(?:href|src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
    for (const path of linked) {
      const response = await fetch(`${base}${path.replaceAll('&amp;', '&')}`);
      expect(response.status, path).toBe(200);
      await response.arrayBuffer();
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('shutting down');
  }, 120_000);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function poll(
  attempt: () => Promise<Response>,
  timeoutMs: number,
  log: () => string,
): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(`the built service did not answer:\n${log()}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
