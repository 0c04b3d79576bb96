/**
 * Child process of electron-atomic.test.ts: overwrites argv[2] atomically
 * with 1 MiB of 'N' and SIGKILLs itself at the stage named by argv[3] (a real
 * crash: no finally blocks, no cleanup).
 */
import { atomicWriteFile, type AtomicStage } from '../../main/atomicWrite.ts';

const [file, stage] = process.argv.slice(2);
await atomicWriteFile(file, 'N'.repeat(1 << 20), {
  chunkBytes: 64 * 1024,
  failpoint: (s: AtomicStage) => {
    if (s === stage) process.kill(process.pid, 'SIGKILL');
  },
});
process.exit(0);
