import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Block, blocks, nested, Terraform } from './terraform.js';

/** The log-based metrics and the alert match the log lines the service really writes. */

const SRC = join(import.meta.dirname, '..', '..', 'src');
const source = (path: string) => readFileSync(join(SRC, path), 'utf8');

describe('operator monitoring in Terraform', () => {
  let tf: Terraform;
  beforeAll(async () => {
    tf = await Terraform.load();
  });

  it('counts failed runs from the message the service logs when it sets FAILED', () => {
    const metric = tf.resource('google_logging_metric', 'failed_runs');
    expect(String(metric.filter)).toContain('jsonPayload.message=~"^run failed"');
    // Runs that lose Google access wait for their owner; an apply that loses it fails.
    expect(source('http/review-task-routes.ts')).toMatch(/log\.\w+\('run failed/);
  });

  it('charts the Gmail units the stats line carries', () => {
    const metric = tf.resource('google_logging_metric', 'gmail_project_units');
    expect(metric.value_extractor).toBe('EXTRACT(jsonPayload.stats.gmail.projectUnitsLastMinute)');
    const routes = source('http/stats-routes.ts');
    expect(routes).toContain("info('operator stats', { stats: figures })");
    expect(routes).toContain('projectUnitsLastMinute');
  });

  it('alerts on failed runs and on notifications the push subscription dead-letters', () => {
    const alert = tf.resource('google_monitoring_alert_policy', 'failures');
    const filters = blocks(alert, 'conditions').map((c) =>
      String(nested(c as Block, 'condition_threshold').filter),
    );
    expect(filters).toHaveLength(2);
    expect(filters[0]).toContain('google_logging_metric.failed_runs.name');
    expect(filters[1]).toContain('subscription/dead_letter_message_count');
    expect(filters[1]).toContain('google_pubsub_subscription.gmail_push.name');
  });
});
