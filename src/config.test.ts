import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('starts local mode on port 8080 with the simulated Google when nothing is set', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('local');
    expect(config.port).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.dataDir).toBe('./.data');
    expect(config.google.simulated).toBe(true);
    expect(config.google.redirectUri).toBe('http://localhost:8080/auth/google/callback');
    expect(config.gmailQuota.userUnitsPerMinute).toBe(6_000);
    expect(config.gmailQuota.units['users.messages.get']).toBe(20);
    expect(config.gmailQuota.projectUnitsPerDay).toBe(80_000_000);
  });

  it("takes the project's daily Gmail budget from GMAIL_PROJECT_UNITS_PER_DAY", () => {
    expect(loadConfig({ GMAIL_PROJECT_UNITS_PER_DAY: '5000' }).gmailQuota.projectUnitsPerDay).toBe(
      5_000,
    );
  });

  it('derives PUBLIC_URL from PORT and drops a trailing slash', () => {
    expect(loadConfig({ PORT: '9090' }).publicUrl).toBe('http://localhost:9090');
    expect(loadConfig({ PUBLIC_URL: 'https://clean.example.com/' }).publicUrl).toBe(
      'https://clean.example.com',
    );
  });

  it('uses real Google sign-in when a client is configured', () => {
    const config = loadConfig({ GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' });
    expect(config.google.simulated).toBe(false);
    expect(config.google.apiBaseUrl).toBeUndefined();
  });

  it('takes every Google endpoint from GOOGLE_API_BASE_URL', () => {
    const config = loadConfig({ GOOGLE_API_BASE_URL: 'http://127.0.0.1:4000' });
    expect(config.google.apiBaseUrl).toBe('http://127.0.0.1:4000');
    expect(config.google.simulated).toBe(false);
  });

  it('switches to the legacy quota table with its cheaper reads', () => {
    const config = loadConfig({ GMAIL_QUOTA_TABLE: 'legacy' });
    expect(config.gmailQuota.userUnitsPerMinute).toBe(15_000);
    expect(config.gmailQuota.units['users.messages.get']).toBe(5);
  });

  it('merges OPENAI_PRICES over the default price table', () => {
    const config = loadConfig({
      OPENAI_MODEL: 'my-model',
      OPENAI_PRICES: '{"my-model": {"input": 1, "output": 2}}',
    });
    expect(config.openai.prices['my-model']).toEqual({ input: 1, output: 2 });
    expect(config.openai.prices['gpt-5-nano']?.input).toBe(0.05);
    expect(config.openai.timeoutMs).toBe(60_000);
  });

  it.each([
    [{ OPENAI_PRICES: 'cheap' }, 'OPENAI_PRICES'],
    [{ OPENAI_PRICES: '{"m": {"input": -1, "output": 1}}' }, 'OPENAI_PRICES'],
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ MODE: 'cloud' }, 'MODE'],
    [{ PUBLIC_URL: 'not a url' }, 'PUBLIC_URL'],
    [{ GOOGLE_API_BASE_URL: 'http://127.0.0.1:4000/' }, 'GOOGLE_API_BASE_URL'],
    [{ GOOGLE_API_BASE_URL: 'ftp://x' }, 'GOOGLE_API_BASE_URL'],
    [{ GOOGLE_CLIENT_ID: 'id' }, 'GOOGLE_CLIENT_SECRET'],
    [{ GMAIL_USER_UNITS_PER_MINUTE: '0' }, 'GMAIL_USER_UNITS_PER_MINUTE'],
    [{ GMAIL_PROJECT_UNITS_PER_DAY: 'lots' }, 'GMAIL_PROJECT_UNITS_PER_DAY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('stops start-up on %j with a message naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('names every variable gcp mode still needs', () => {
    try {
      loadConfig({ MODE: 'gcp' });
      expect.unreachable();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of [
        'GOOGLE_CLOUD_PROJECT',
        'CLOUD_TASKS_QUEUE',
        'KEYRING_SECRET',
        'PUBLIC_URL',
      ]) {
        expect(message).toContain(name);
      }
    }
  });

  it('never echoes a secret value in its message', () => {
    expect(() => loadConfig({ GOOGLE_CLIENT_SECRET: 'hunter2' })).toThrow(ConfigError);
    try {
      loadConfig({ GOOGLE_CLIENT_SECRET: 'hunter2' });
    } catch (error) {
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('gives demo mode a random push token, and refuses pushes elsewhere unless one is set', () => {
    const demo = loadConfig({}).push.verificationToken;
    expect(demo).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(loadConfig({}).push.verificationToken).not.toBe(demo);
    const real = { GOOGLE_CLIENT_ID: 'id', GOOGLE_CLIENT_SECRET: 'secret' };
    expect(loadConfig(real).push.verificationToken).toBeUndefined();
    expect(loadConfig({ ...real, PUSH_VERIFICATION_TOKEN: 't0k3n' }).push.verificationToken).toBe(
      't0k3n',
    );
  });

  it('takes a Pub/Sub topic and pull subscription in local mode', () => {
    const config = loadConfig({
      PUBSUB_TOPIC: 'projects/p/topics/gmail',
      PUBSUB_SUBSCRIPTION: 'projects/p/subscriptions/gmail-pull',
      PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
    });
    expect(config.push).toMatchObject({
      topic: 'projects/p/topics/gmail',
      subscription: 'projects/p/subscriptions/gmail-pull',
      emulatorHost: '127.0.0.1:8085',
    });
    expect(() => loadConfig({ PUBSUB_SUBSCRIPTION: 'gmail-pull' })).toThrow('PUBSUB_SUBSCRIPTION');
  });

  it('returns a frozen object', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.google)).toBe(true);
  });
});
