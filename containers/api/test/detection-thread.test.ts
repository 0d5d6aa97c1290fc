import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { DetectionThreadDied, detectInThread } from '../src/detection/detection-thread.ts';
import { detect, FeaturesError, ParamsError } from '../src/detection/index.ts';
import { createRandom } from '../src/detection/prng.ts';

/** The platform's default heap for a detection thread. */
const HEAP_MB = 512;

/** 300 rows of three features around 0, with the last five far out. */
function sensorLike(): number[][] {
  const random = createRandom(7);
  const unit = () => random.next() * 2 - 1;
  const rows = Array.from({ length: 300 }, () => [unit(), unit(), unit()]);
  for (let i = 295; i < 300; i++) rows[i] = [8 + i / 100, -9, 7];
  return rows;
}

/** Nice values of this process's threads other than the main one (Linux keeps one per thread). */
function otherThreadNiceValues(): number[] {
  const tasks = readdirSync('/proc/self/task').filter((tid) => tid !== String(process.pid));
  return tasks.flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command's closing parenthesis; nice is field 19 of stat, index 16 here.
      return [Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
    } catch {
      return [];
    }
  });
}

test.describe('detection on a thread of its own', () => {
  test('gives exactly what detection on the main thread gives, for every algorithm', async () => {
    const features = sensorLike();
    for (const algorithm of ['isolation_forest', 'lof', 'robust_zscore', 'knn'] as const) {
      const input = { features, params: { contamination: 0.02 }, seed: 42 };
      expect(await detectInThread(algorithm, input, HEAP_MB), algorithm).toEqual(
        await detect(algorithm, input),
      );
    }
  });

  test('reports progress up to 1 as it goes', async () => {
    const seen: number[] = [];
    await detectInThread(
      'isolation_forest',
      {
        features: sensorLike(),
        params: { trees: 200 },
        seed: 1,
        onProgress: (fraction) => seen.push(fraction),
      },
      HEAP_MB,
    );
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
  });

  test("hands back the person's mistakes as the same errors with the same words", async () => {
    const badParams = { features: sensorLike(), params: { contamination: 0.9 }, seed: 1 };
    const inThread = await detectInThread('lof', badParams, HEAP_MB).catch((error: unknown) => error);
    const inline = await detect('lof', badParams).catch((error: unknown) => error);
    expect(inThread).toBeInstanceOf(ParamsError);
    expect((inThread as ParamsError).message).toBe((inline as ParamsError).message);
    expect((inThread as ParamsError).details).toEqual((inline as ParamsError).details);

    const oneRow = { features: [[1, 2]], params: {}, seed: 1 };
    const features = await detectInThread('isolation_forest', oneRow, HEAP_MB).catch(
      (error: unknown) => error,
    );
    expect(features).toBeInstanceOf(FeaturesError);
    expect((features as Error).message).toBe(
      'Isolation Forest needs at least 2 rows to isolate one from another (got 1).',
    );
  });

  test('a thread that outgrows its memory is stopped, not the platform, and says why', async () => {
    // 200,000 rows in a thread allowed 16 MB: copying them in alone outgrows it.
    const random = createRandom(5);
    const features = Array.from({ length: 200_000 }, () => [random.next(), random.next(), random.next()]);
    const died = await detectInThread('robust_zscore', { features, params: {}, seed: 1 }, 16).catch(
      (error: unknown) => error,
    );
    expect(died).toBeInstanceOf(DetectionThreadDied);
    expect((died as Error).message).toBe(
      'The detection ran out of memory (a thread may use 16 MB) and was stopped; use fewer rows, a smaller k, or another algorithm.',
    );
    // This process is alive and detects as before.
    const input = { features: sensorLike(), params: {}, seed: 1 };
    expect(await detectInThread('robust_zscore', input, HEAP_MB)).toEqual(
      await detect('robust_zscore', input),
    );
  });

  test('runs at the lowest CPU priority on Linux, so live scoring comes first', async () => {
    test.skip(process.platform !== 'linux', 'only Linux gives threads their own priority');
    const lowPriorityThreads = () => otherThreadNiceValues().filter((nice) => nice === 19).length;
    // Threads of the tests before may still be on their way out.
    await expect.poll(lowPriorityThreads).toBe(0);
    let observed: number[] = [];
    await detectInThread(
      'isolation_forest',
      {
        features: sensorLike(),
        params: { trees: 400 },
        seed: 3,
        onProgress: () => {
          if (observed.length === 0) observed = otherThreadNiceValues();
        },
      },
      HEAP_MB,
    );
    expect(observed).toContain(19);
    // The thread ends with its detection: none are left behind.
    await expect.poll(lowPriorityThreads).toBe(0);
  });
});
