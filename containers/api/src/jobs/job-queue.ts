import type { FastifyBaseLogger } from 'fastify';
import type pg from 'pg';
import { withSystem, withTenant } from '../db/pool.ts';

export type JobKind = 'experiment' | 'run';
export type JobState = 'queued' | 'running' | 'completed' | 'failed';

export interface JobTicket {
  id: string;
  tenantId: string;
}

export interface RunningJob extends JobTicket {
  kind: JobKind;
  payload: Record<string, unknown>;
}

/** Reports progress 0..1; resolves once recorded (or skipped because the last write was recent). */
export type ReportProgress = (fraction: number) => Promise<void>;
export type JobHandler = (job: RunningJob, reportProgress: ReportProgress) => Promise<void>;

/** A failure whose message is meant for the person who started the job. */
export class JobFailure extends Error {
  override name = 'JobFailure';
}

/** Why a job the platform stopped in the middle of is not run again. */
export const interruptedReason =
  'The platform stopped while this job ran, so it is not run again (had the job stopped it, it would at every start); run the experiment again, and report it if the platform stops again.';

/** Progress writes are throttled: often enough for a live bar, rarely enough not to load the database. */
const progressIntervalMs = 100;
/** Two at a time: a long job does not hold back a short one, and detection already yields between chunks. */
const concurrency = 2;

/**
 * Runs jobs in this process, in arrival order, recording `queued → running → completed | failed`
 * and progress in the database where the API and the UI read them. Jobs a previous process left
 * queued are picked up at start; one it left running is failed with the reason (see resumeUnfinished).
 */
export class JobQueue {
  readonly #pool: pg.Pool;
  readonly #log: FastifyBaseLogger;
  readonly #handlers: Record<JobKind, JobHandler>;
  readonly #waiting: JobTicket[] = [];
  #active = 0;
  #stopped = false;
  #idleWaiters: (() => void)[] = [];

  constructor(pool: pg.Pool, log: FastifyBaseLogger, handlers: Record<JobKind, JobHandler>) {
    this.#pool = pool;
    this.#log = log;
    this.#handlers = handlers;
  }

  /** Jobs waiting or running in this process. */
  get pending(): number {
    return this.#waiting.length + this.#active;
  }

  enqueue(ticket: JobTicket): void {
    if (this.#stopped) return;
    this.#waiting.push(ticket);
    this.#pump();
  }

  /**
   * Queues the jobs a previous process left waiting. One it left running was cut short by the
   * process ending (a stop waits for running jobs), perhaps by the job itself: running it again
   * could stop the platform at every start, so it is failed with the reason instead, and its
   * unfinished runs with it.
   */
  async resumeUnfinished(): Promise<number> {
    const { rows } = await withSystem(this.#pool, (db) =>
      db.query<{ id: string; tenant_id: string; state: 'queued' | 'running' }>(
        `SELECT id, tenant_id, state FROM jobs WHERE state IN ('queued', 'running') ORDER BY seq`,
      ),
    );
    let resumed = 0;
    for (const row of rows) {
      const ticket = { id: row.id, tenantId: row.tenant_id };
      if (row.state === 'running') {
        this.#log.warn({ jobId: row.id }, 'job was running when the platform stopped; failed, not resumed');
        await this.#finish(ticket, 'failed', interruptedReason);
        await withTenant(this.#pool, ticket.tenantId, (db) =>
          db.query(
            `UPDATE runs SET status = 'failed', error = $3, finished_at = now()
              WHERE tenant_id = $1 AND job_id = $2 AND status IN ('queued', 'running')`,
            [ticket.tenantId, ticket.id, interruptedReason],
          ),
        );
      } else {
        this.enqueue(ticket);
        resumed += 1;
      }
    }
    return resumed;
  }

  /** Resolves when nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Takes no new work and waits for the running jobs; unstarted ones stay queued in the database. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#waiting.length = 0;
    await this.idle();
  }

  #pump(): void {
    while (this.#active < concurrency && this.#waiting.length > 0) {
      const ticket = this.#waiting.shift() as JobTicket;
      this.#active += 1;
      this.#execute(ticket)
        .catch((error) => this.#log.error({ err: error, jobId: ticket.id }, 'job bookkeeping failed'))
        .finally(() => {
          this.#active -= 1;
          if (this.pending === 0) {
            for (const resolve of this.#idleWaiters.splice(0)) resolve();
          }
          this.#pump();
        });
    }
  }

  async #execute(ticket: JobTicket): Promise<void> {
    const job = await withTenant(this.#pool, ticket.tenantId, async (db) => {
      const { rows } = await db.query<{ kind: JobKind; payload: Record<string, unknown> }>(
        `UPDATE jobs SET state = 'running', started_at = now(), progress = 0, error = NULL
          WHERE id = $1 AND tenant_id = $2 AND state IN ('queued', 'running')
          RETURNING kind, payload`,
        [ticket.id, ticket.tenantId],
      );
      return rows[0];
    });
    // Gone (tenant purged) or already finished: nothing to do.
    if (!job) return;

    let lastWrite = 0;
    const reportProgress: ReportProgress = async (fraction) => {
      const now = Date.now();
      if (now - lastWrite < progressIntervalMs) return;
      lastWrite = now;
      const bounded = Math.min(0.999, Math.max(0, fraction));
      await withTenant(this.#pool, ticket.tenantId, (db) =>
        db.query(`UPDATE jobs SET progress = $3 WHERE id = $1 AND tenant_id = $2 AND state = 'running'`, [
          ticket.id,
          ticket.tenantId,
          bounded,
        ]),
      );
    };

    const started = Date.now();
    try {
      await this.#handlers[job.kind]({ ...ticket, kind: job.kind, payload: job.payload }, reportProgress);
      await this.#finish(ticket, 'completed', null);
      this.#log.info({ jobId: ticket.id, kind: job.kind, ms: Date.now() - started }, 'job completed');
    } catch (error) {
      const message =
        error instanceof JobFailure
          ? error.message
          : 'The job failed unexpectedly; run it again, and report it if it fails again.';
      if (!(error instanceof JobFailure)) this.#log.error({ err: error, jobId: ticket.id }, 'job failed');
      await this.#finish(ticket, 'failed', message);
    }
  }

  async #finish(ticket: JobTicket, state: 'completed' | 'failed', error: string | null): Promise<void> {
    await withTenant(this.#pool, ticket.tenantId, (db) =>
      db.query(
        `UPDATE jobs SET state = $3, progress = CASE WHEN $3 = 'completed' THEN 1 ELSE progress END,
                error = $4, finished_at = now()
          WHERE id = $1 AND tenant_id = $2`,
        [ticket.id, ticket.tenantId, state, error],
      ),
    );
  }
}
