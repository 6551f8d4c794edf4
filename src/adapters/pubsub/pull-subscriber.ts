import { type Message, PubSub, type Subscription } from '@google-cloud/pubsub';
import type { Logger } from '../../log.js';

export interface PullSubscriberOptions {
  /** `projects/PROJECT/subscriptions/NAME`, a pull subscription on Gmail's topic. */
  readonly subscription: string;
  /** `HOST:PORT` of the Pub/Sub emulator; unset means Google's Pub/Sub (with local ADC). */
  readonly emulatorHost?: string | undefined;
  /**
   * Handles one message's data the way the push endpoint handles an envelope's. Resolving
   * acknowledges the message; throwing leaves it to Pub/Sub to deliver again.
   */
  readonly handle: (data: Buffer) => Promise<void>;
  readonly log: Logger;
}

/**
 * Gmail notifications without a public URL: a streaming pull on a subscription, for local mode
 * with real Gmail. Each message goes to the same handler as a push delivery.
 */
export class PullSubscriber {
  private client: PubSub | undefined;
  private subscription: Subscription | undefined;

  constructor(private readonly options: PullSubscriberOptions) {}

  start(): void {
    if (this.subscription) return;
    const { subscription: name, emulatorHost, log } = this.options;
    const projectId = /^projects\/([^/]+)\//.exec(name)?.[1];
    this.client = new PubSub({ projectId, ...(emulatorHost ? { apiEndpoint: emulatorHost } : {}) });
    this.subscription = this.client.subscription(name, { flowControl: { maxMessages: 20 } });
    this.subscription.on('message', (message: Message) => void this.receive(message));
    this.subscription.on('error', (error) => {
      log.error('pub/sub pull failed', { code: error.code, reason: error.details });
    });
    log.info('pulling gmail notifications', { subscription: name });
  }

  async stop(): Promise<void> {
    const { subscription, client } = this;
    this.subscription = undefined;
    this.client = undefined;
    await subscription?.close();
    await client?.close();
  }

  private async receive(message: Message): Promise<void> {
    try {
      await this.options.handle(message.data);
      message.ack();
    } catch (error) {
      this.options.log.warn('gmail notification not handled, pub/sub will redeliver', { error });
      message.nack();
    }
  }
}
