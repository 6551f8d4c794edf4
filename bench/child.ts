import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Node flags for benchmark child processes: TypeScript through tsx, no SQLite warning. */
const EXEC_ARGV = ['--import', 'tsx', '--disable-warning=ExperimentalWarning'];

/** Forks a TypeScript module of this folder with one JSON argument and IPC. */
export function forkBench(module: string, arg: unknown): ChildProcess {
  const path = fileURLToPath(new URL(module, import.meta.url));
  return fork(path, [JSON.stringify(arg)], {
    execArgv: EXEC_ARGV,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The first IPC message that passes `accept`, or the child's exit as an error. */
export function firstMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!accept(message)) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`child exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
