import type { Logger } from '../log.js';

/** Local mode's stand-in for Cloud Scheduler: calls the cron endpoint every hour. */
export class LocalCron {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly call: () => Promise<Response>,
    private readonly log: Logger,
    private readonly everyMs = 60 * 60_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private async tick(): Promise<void> {
    try {
      const response = await this.call();
      if (!response.ok) this.log.warn('local cron failed', { status: response.status });
    } catch (error) {
      this.log.warn('local cron failed', { error });
    }
  }
}
