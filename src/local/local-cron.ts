import type { Logger } from '../log.js';

/**
 * Local mode's stand-in for Cloud Scheduler: calls the cron endpoint a minute after start (a
 * laptop is not up all day), then every hour.
 */
export class LocalCron {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly call: () => Promise<Response>,
    private readonly log: Logger,
    private readonly everyMs = 60 * 60_000,
    private readonly firstAfterMs = 60_000,
  ) {}

  start(): void {
    if (this.timer) return;
    this.schedule(this.firstAfterMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(async () => {
      await this.tick();
      if (this.timer) this.schedule(this.everyMs);
    }, ms);
    this.timer.unref();
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
